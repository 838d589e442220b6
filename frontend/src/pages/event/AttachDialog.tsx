import { Button } from "@saleor/macaw-ui";
import { useEffect, useState, type ReactNode } from "react";

import { api, requestFailure, type Channel, type NotificationEvent, type SaleorChannel } from "../../api";
import type { Source } from "../../events";
import { Dialog } from "../../ui";
import { useMutation } from "../../useMutation";
import { attachErrors, isChannelError } from "./attachErrors";
import { ChooseChannelStep } from "./ChooseChannelStep";
import { CreateChannelStep } from "./CreateChannelStep";
import { ShowSecretStep } from "./ShowSecretStep";

/** The wizard's steps: choose a channel and sources; or add a channel first, then see its secret once. */
type Step = { kind: "choose" } | { kind: "create" } | { kind: "secret"; secret: string };

const CHOOSE: Step = { kind: "choose" };
const ALL_SOURCES: Source[] = ["ADMIN", "SHOP", "FUNNEL"];

/** The dialog around each step. */
const STEP_DIALOG: Record<Step["kind"], { testId: string; title: (event: NotificationEvent) => string }> = {
  choose: { testId: "attach-dialog", title: (event) => `Attach a channel to ${event.name}` },
  create: { testId: "create-channel-dialog", title: () => "Add a notification channel" },
  secret: { testId: "channel-added-dialog", title: () => "Channel added" },
};

/** Attach a channel to an event: a wizard of three steps in one dialog. */
export function AttachDialog({
  event,
  stores,
  open,
  onClose,
  onAttached,
}: {
  event: NotificationEvent;
  /** The shop's stores; null while they load or when they cannot be listed. */
  stores: SaleorChannel[] | null;
  open: boolean;
  onClose: () => void;
  onAttached: (channelName: string) => void;
}) {
  const [step, setStep] = useState<Step>(CHOOSE);
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [sources, setSources] = useState<Source[]>(ALL_SOURCES);
  const [saleorChannels, setSaleorChannels] = useState<string[]>([]);
  const attach = useMutation(api.attach);
  const { setErrors } = attach;

  useEffect(() => {
    if (!open) return;
    setErrors([]);
    setStep(CHOOSE);
    setChannelId(null);
    setSources(ALL_SOURCES);
    setSaleorChannels([]);
    api.channels().then(setChannels, (err) => setErrors([requestFailure(err)]));
  }, [open, setErrors]);

  const save = async () => {
    if (!channelId) {
      setErrors([{ field: "channelId", code: "REQUIRED", message: "Choose a channel, or add one with the Add button." }]);
      return;
    }
    if (await attach.run(event.type, channelId, sources, saleorChannels)) onAttached(channels?.find((c) => c.id === channelId)?.name ?? "The channel");
  };

  const chooseChannel = (id: string | null) => {
    setChannelId(id);
    setErrors((errors) => errors.filter((e) => !isChannelError(e)));
  };

  const created = (channel: Channel, secret: string | null) => {
    setChannels((list) => [...(list ?? []), channel]);
    setChannelId(channel.id);
    setErrors([]);
    setStep(secret ? { kind: "secret", secret } : CHOOSE);
  };

  let body: ReactNode;
  switch (step.kind) {
    case "choose":
      body = (
        <ChooseChannelStep
          event={event}
          channels={channels}
          channelId={channelId}
          sources={sources}
          stores={stores}
          saleorChannels={saleorChannels}
          errors={attachErrors(attach.errors)}
          onChannel={chooseChannel}
          onSources={setSources}
          onSaleorChannels={setSaleorChannels}
          onAdd={() => setStep({ kind: "create" })}
        />
      );
      break;
    case "create":
      body = <CreateChannelStep onCreated={created} onCancel={() => setStep(CHOOSE)} />;
      break;
    case "secret":
      body = <ShowSecretStep secret={step.secret} onDone={() => setStep(CHOOSE)} />;
      break;
  }

  const footer =
    step.kind === "choose" ? (
      <>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button variant="primary" onClick={save} disabled={attach.busy}>
          Save
        </Button>
      </>
    ) : undefined;

  const dialog = STEP_DIALOG[step.kind];
  return (
    <Dialog open={open} onClose={onClose} title={dialog.title(event)} testId={dialog.testId} footer={footer}>
      {body}
    </Dialog>
  );
}
