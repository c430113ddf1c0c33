/** Pin the instance's verifier key in this browser: paste one (checked as it is typed), or pin the
 * server's current key after comparing its fingerprint; unpin. */
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { LocalTime } from "../../components/LocalTime";
import { CodeBlock } from "../../components/States";
import { apiLedgerSource, type PublicKeyInfo } from "./ledgerSource";
import { parseVerifierKey, type Verifier } from "./note";
import { pinKey, unpinKey, usePinnedKey } from "./pinnedKey";

type Check = { state: "empty" } | { state: "checking" } | { state: "valid"; key: Verifier } | { state: "invalid"; reason: string };

/** The pasted text, checked as a verifier key (asynchronously: the key id is a SHA-256). */
function useKeyCheck(text: string): Check {
  const [check, setCheck] = useState<Check>({ state: "empty" });
  useEffect(() => {
    if (!text.trim()) {
      setCheck({ state: "empty" });
      return;
    }
    let current = true;
    setCheck({ state: "checking" });
    parseVerifierKey(text).then(
      (key) => current && setCheck({ state: "valid", key }),
      (error: unknown) => current && setCheck({ state: "invalid", reason: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [text]);
  return check;
}

export const keyIdOf = (verifierKey: string): string => verifierKey.split("+")[1] ?? "";

function helperText(check: Check, server: PublicKeyInfo | undefined): string {
  switch (check.state) {
    case "empty":
      return "Paste the key as “sealtrail ledger public-key” prints it: <name>+<key id>+<base64 key>.";
    case "checking":
      return "Checking the key…";
    case "invalid":
      return `Not a valid verifier key: ${check.reason}.`;
    case "valid":
      return server && server.verifier_key !== check.key.encoded
        ? `A valid Ed25519 key, key id ${check.key.keyIdHex}. Note: the server currently signs with key id ${server.key_id}.`
        : `A valid Ed25519 key, key id ${check.key.keyIdHex}.`;
  }
}

function ServerKeyDialog({ server, open, onClose }: { server: PublicKeyInfo; open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="pin-server-key-title" maxWidth="sm" fullWidth>
      <DialogTitle id="pin-server-key-title">Pin the server's current key?</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Compare the key id and the key below with the ones the instance's operator published, or printed with{" "}
          <code>sealtrail ledger public-key</code>. Pin it only if they are identical: from then on, checkpoints signed by
          any other key fail verification in this browser.
        </DialogContentText>
        <Typography variant="body2">
          Origin: <code>{server.origin}</code>
        </Typography>
        <Typography variant="body2">
          Key id (fingerprint): <code data-testid="server-key-id">{server.key_id}</code> · {server.algorithm}
        </Typography>
        <CodeBlock>{server.verifier_key}</CodeBlock>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button
          variant="contained"
          onClick={() => {
            pinKey(server.verifier_key);
            onClose();
          }}
        >
          The fingerprint matches — pin it
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function KeyPinning() {
  const pinned = usePinnedKey();
  const server = useQuery({ queryKey: ["ledger", "public-key"], queryFn: apiLedgerSource.publicKey });
  const [text, setText] = useState("");
  const [confirming, setConfirming] = useState(false);
  const check = useKeyCheck(text);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (check.state !== "valid") return;
    pinKey(check.key.encoded);
    setText("");
  };
  const serverKey = server.data;

  return (
    <Box component="section" aria-labelledby="pin-key-title" data-testid="pin-key" sx={{ mt: 2 }}>
      <Typography id="pin-key-title" variant="subtitle2" component="h4">
        Pinned verifier key
      </Typography>
      {pinned ? (
        <Box data-testid="pinned-key">
          <Typography variant="body2" color="text.secondary">
            Checkpoints are checked against this key only, whatever the server says. Key id{" "}
            <code>{keyIdOf(pinned.verifierKey)}</code>, pinned <LocalTime iso={pinned.pinnedAt} />.
          </Typography>
          <CodeBlock>{pinned.verifierKey}</CodeBlock>
          <Button size="small" color="warning" onClick={unpinKey}>
            Unpin key
          </Button>
        </Box>
      ) : (
        <Typography variant="body2" color="text.secondary">
          No key pinned: verification trusts the key the server reports for itself. Pin the instance's key, from a channel
          you trust, to make the check independent of the server.
        </Typography>
      )}
      <Box component="form" onSubmit={submit} noValidate sx={{ display: "flex", gap: 1, alignItems: "flex-start", mt: 1.5 }}>
        <TextField
          label={pinned ? "Verifier key to pin instead" : "Verifier key to pin"}
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={check.state === "invalid"}
          helperText={helperText(check, serverKey)}
          size="small"
          fullWidth
          autoComplete="off"
          slotProps={{ htmlInput: { spellCheck: false, "data-testid": "pin-key-input", style: { fontFamily: "monospace" } } }}
        />
        <Button type="submit" variant="outlined" disabled={check.state !== "valid"} sx={{ flexShrink: 0, mt: 0.25 }}>
          Pin this key
        </Button>
      </Box>
      {serverKey && serverKey.verifier_key !== pinned?.verifierKey ? (
        <>
          <Button size="small" sx={{ mt: 0.5 }} onClick={() => setConfirming(true)}>
            Pin the server's key…
          </Button>
          <ServerKeyDialog server={serverKey} open={confirming} onClose={() => setConfirming(false)} />
        </>
      ) : null}
      {server.isError ? (
        <Typography variant="body2" color="error" sx={{ mt: 0.5 }}>
          Could not load the server's key ({server.error.message}); you can still paste a key.
        </Typography>
      ) : null}
    </Box>
  );
}
