import type { Channel } from "../../api";
import { ChannelForm } from "../../components/ChannelForm";

/** The wizard's detour: a new channel, which the first step then has chosen. */
export function CreateChannelStep({
  onCreated,
  onCancel,
}: {
  onCreated: (channel: Channel, secret: string | null) => void;
  onCancel: () => void;
}) {
  return <ChannelForm submitLabel="Add channel" onCancel={onCancel} onSaved={onCreated} />;
}
