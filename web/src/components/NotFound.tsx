import Button from "@mui/material/Button";
import { Link } from "react-router-dom";
import { EmptyState } from "./States";

export function NotFound() {
  return (
    <EmptyState title="No such page">
      <Button component={Link} to="/">
        Back to the dashboard
      </Button>
    </EmptyState>
  );
}
