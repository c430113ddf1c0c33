/** A control's remediation: the guidance, the CLI command and the reference, as the library gives them. */
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { CodeBlock } from "../../../components/States";
import type { Remediation } from "../types";

export function RemediationView({ remediation }: { remediation: Remediation }) {
  return (
    <>
      <Typography sx={{ whiteSpace: "pre-line" }}>{remediation.guidance}</Typography>
      {remediation.cli ? (
        <>
          <Typography variant="subtitle2" component="h3" sx={{ mt: 2 }}>
            With the AWS CLI
          </Typography>
          <CodeBlock>{remediation.cli}</CodeBlock>
        </>
      ) : null}
      {remediation.url ? (
        <Typography sx={{ mt: 1 }}>
          In the console and in depth:{" "}
          <Link href={remediation.url} target="_blank" rel="noopener noreferrer">
            {remediation.url}
          </Link>
        </Typography>
      ) : null}
    </>
  );
}
