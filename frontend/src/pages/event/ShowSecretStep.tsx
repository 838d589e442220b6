import { SecretPanel } from "../../components/SecretPanel";

/** After adding a postback channel: its signing secret, shown this once, then back to the first step. */
export function ShowSecretStep({ secret, onDone }: { secret: string; onDone: () => void }) {
  return <SecretPanel secret={secret} onDone={onDone} />;
}
