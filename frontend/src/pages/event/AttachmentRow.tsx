import { Box, Text } from "@saleor/macaw-ui";

import type { Attachment, SaleorChannel } from "../../api";
import { storeName } from "../../components/stores";
import { KIND_LABEL, sourceLabel } from "../../events";
import { Mark, MoreMenu } from "../../ui";

/** One channel attached to the event: its kind, its sources (and stores), and Edit / Delete in its menu. */
export function AttachmentRow({
  attachment,
  stores,
  first,
  onEdit,
  onDelete,
}: {
  attachment: Attachment;
  /** The shop's stores, for their names; null while they load or when they cannot be listed. */
  stores: SaleorChannel[] | null;
  first: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <Box
      as="li"
      data-testid="attachment"
      display="flex"
      alignItems="center"
      justifyContent="space-between"
      paddingY={3}
      borderTopWidth={first ? 0 : 1}
      borderTopStyle="solid"
      borderColor="default1"
      style={{ listStyle: "none" }}
    >
      <Box>
        <Text fontWeight="bold">{attachment.channel.name}</Text>{" "}
        <Text size={2} color="default2">
          {KIND_LABEL[attachment.channel.kind]}
          {attachment.channel.isActive ? "" : " · inactive"}
        </Text>
        <Box display="flex" gap={1} paddingTop={1} data-testid="attachment-sources">
          {attachment.sources.map((s) => (
            <Mark key={s}>{sourceLabel(s)}</Mark>
          ))}
        </Box>
        {attachment.saleorChannels.length ? (
          <Box display="flex" gap={2} paddingTop={1} alignItems="center">
            <Text size={2} color="default2">
              Only in
            </Text>
            <Box display="flex" gap={1} data-testid="attachment-stores" aria-label="Stores">
              {attachment.saleorChannels.map((slug) => (
                <Mark key={slug} tone="info">
                  {storeName(stores, slug)}
                </Mark>
              ))}
            </Box>
          </Box>
        ) : null}
      </Box>
      <MoreMenu
        label={`Actions for ${attachment.channel.name}`}
        items={[
          { label: "Edit", onSelect: onEdit },
          { label: "Delete", danger: true, onSelect: onDelete },
        ]}
      />
    </Box>
  );
}
