"""The web UI: its built files served by the API process (`static.WebUI`)."""
