/** The framework requirements a control supports, fully or partly, with links to them. */
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import { useFramework } from "../queries";
import type { Mapping } from "../types";

function FrameworkBlock({ id, mappings }: { id: string; mappings: Mapping[] }) {
  const framework = useFramework(id);
  const titles = new Map((framework.data?.requirements ?? []).map((r) => [r.id, r.title]));
  return (
    <Box sx={{ mb: 1 }}>
      <Typography variant="subtitle2" component="h3">
        <Link component={RouterLink} to={`/compliance/frameworks/${id}`}>
          {framework.data?.name ?? id}
        </Link>
      </Typography>
      <List dense disablePadding>
        {mappings.map((m) => (
          <ListItem key={m.requirement} disableGutters>
            <Link component={RouterLink} to={`/compliance/frameworks/${id}?q=${encodeURIComponent(m.requirement)}`} sx={{ mr: 1 }}>
              {m.requirement}
            </Link>
            <Typography variant="body2">
              {titles.get(m.requirement) ?? ""}{" "}
              <Typography component="span" variant="body2" color="text.secondary">
                ({m.relation === "full" ? "fully covers" : "partly supports"})
              </Typography>
            </Typography>
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

export function FrameworkMappings({ frameworks }: { frameworks: Record<string, Mapping[]> }) {
  return (
    <>
      {Object.entries(frameworks)
        .filter(([, mappings]) => mappings.length)
        .map(([id, mappings]) => (
          <FrameworkBlock key={id} id={id} mappings={mappings} />
        ))}
    </>
  );
}
