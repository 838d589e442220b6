import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { Plus } from "lucide-react";

import type { Channel, FormErrorState, NotificationEvent, SaleorChannel } from "../../api";
import { SourcesField } from "../../components/SourcesField";
import { StoresField } from "../../components/StoresField";
import { KIND_LABEL, type Source } from "../../events";
import { FieldError, FormErrors, Loading } from "../../ui";

/** The wizard's first step: the channel to attach (or Add for a new one), its sources and stores. */
export function ChooseChannelStep({
  event,
  channels,
  channelId,
  sources,
  stores,
  saleorChannels,
  errors,
  onChannel,
  onSources,
  onSaleorChannels,
  onAdd,
}: {
  event: NotificationEvent;
  /** Null while they load. */
  channels: Channel[] | null;
  channelId: string | null;
  sources: Source[];
  /** The shop's stores; null while they load or when they cannot be listed. */
  stores: SaleorChannel[] | null;
  saleorChannels: string[];
  errors: FormErrorState;
  onChannel: (channelId: string | null) => void;
  onSources: (sources: Source[]) => void;
  onSaleorChannels: (saleorChannels: string[]) => void;
  onAdd: () => void;
}) {
  const attachedIds = new Set(event.channels.map((a) => a.channel.id));
  const options = (channels ?? []).map((c) => ({
    value: c.id,
    label: `${c.name} (${KIND_LABEL[c.kind]})${attachedIds.has(c.id) ? " — already attached" : ""}`,
  }));
  return (
    <Box display="flex" flexDirection="column" gap={5}>
      <FormErrors messages={errors.general} />
      {event.postbackOnly ? (
        <Text size={2} color="default2">
          {event.name} can only be sent to postback channels.
        </Text>
      ) : null}
      <Box>
        <Box display="flex" gap={2} alignItems="flex-start">
          <Box __flex="1" data-testid="channel-select">
            {channels === null ? (
              <Loading label="Loading channels…" />
            ) : (
              <Select
                label="Channel"
                options={options}
                value={options.find((o) => o.value === channelId) ?? null}
                error={Boolean(errors.byField.channel)}
                onChange={(o) => onChannel(typeof o === "string" ? o : o?.value ?? null)}
                helperText={
                  channels.length || errors.byField.channel ? undefined : "You have no channels yet: add one with the Add button."
                }
              />
            )}
          </Box>
          <Button variant="secondary" icon={<Plus size={16} />} onClick={onAdd} __height="52px">
            Add
          </Button>
        </Box>
        <FieldError message={errors.byField.channel} />
      </Box>
      <SourcesField value={sources} onChange={onSources} error={errors.byField.sources} />
      <StoresField stores={stores} value={saleorChannels} onChange={onSaleorChannels} error={errors.byField.saleorChannels} />
    </Box>
  );
}
