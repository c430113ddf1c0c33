/** A secret shown this once: the text, a copy button, and a plain warning. */
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import { useRef, useState } from "react";

interface Props {
  /** What it is, for the copy button's name: "API key", "password". */
  label: string;
  secret: string;
  testId?: string;
}

export function SecretReveal({ label, secret, testId }: Props) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const textRef = useRef<HTMLElement>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      // No clipboard (e.g. plain http): select the text so Ctrl+C copies it.
      const node = textRef.current;
      if (node) window.getSelection()?.selectAllChildren(node);
      setCopied("failed");
    }
  };

  return (
    <>
      <Alert severity="warning" sx={{ mb: 2 }}>
        Copy the {label} now: you will not see it again.
      </Alert>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <Box
          component="code"
          ref={textRef}
          data-testid={testId}
          sx={{ flexGrow: 1, p: 1.5, bgcolor: "grey.100", borderRadius: 1, fontSize: 14, wordBreak: "break-all", userSelect: "all" }}
        >
          {secret}
        </Box>
        <Button variant="outlined" startIcon={<ContentCopyIcon />} onClick={copy} aria-label={`Copy the ${label}`}>
          {copied === "yes" ? "Copied" : "Copy"}
        </Button>
      </Box>
      {copied === "failed" ? (
        <Alert severity="info" sx={{ mt: 1 }}>
          The browser refused the clipboard; the text is selected, press Ctrl+C (⌘C) to copy it.
        </Alert>
      ) : null}
    </>
  );
}
