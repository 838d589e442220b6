import { Dialog } from "../ui";
import { SecretPanel } from "./SecretPanel";

/** A dialog with a new signing secret, open while there is one to show. */
export function SecretReveal({ secret, onClose, title }: { secret: string | null; onClose: () => void; title: string }) {
  return (
    <Dialog open={secret !== null} onClose={onClose} title={title}>
      {secret !== null ? <SecretPanel secret={secret} onDone={onClose} /> : null}
    </Dialog>
  );
}
