import { Box, Button } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { api, type Attachment, type SaleorChannel } from "../../api";
import { SourcesField } from "../../components/SourcesField";
import { StoresField } from "../../components/StoresField";
import type { Source } from "../../events";
import { Dialog, FormErrors } from "../../ui";
import { useMutation } from "../../useMutation";
import { attachErrors } from "./attachErrors";

/** The sources (and stores) of one attachment, open while there is one to edit. */
export function EditSourcesDialog({
  attachment,
  stores,
  onClose,
  onSaved,
}: {
  attachment: Attachment | null;
  /** The shop's stores; null while they load or when they cannot be listed. */
  stores: SaleorChannel[] | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [sources, setSources] = useState<Source[]>([]);
  const [saleorChannels, setSaleorChannels] = useState<string[]>([]);
  const update = useMutation(api.updateAttachment);
  const { setErrors } = update;
  useEffect(() => {
    if (attachment) {
      setSources(attachment.sources);
      setSaleorChannels(attachment.saleorChannels);
      setErrors([]);
    }
  }, [attachment, setErrors]);
  const save = async () => {
    if (!attachment) return;
    if (await update.run(attachment.id, sources, saleorChannels)) onSaved();
  };
  const errors = attachErrors(update.errors);
  return (
    <Dialog
      open={attachment !== null}
      onClose={onClose}
      title={`Edit sources of ${attachment?.channel.name ?? ""}`}
      testId="edit-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" onClick={save} disabled={update.busy}>
            Save
          </Button>
        </>
      }
    >
      <FormErrors messages={[...errors.general, ...(errors.byField.channel ? [errors.byField.channel] : [])]} />
      <Box display="flex" flexDirection="column" gap={5}>
        <SourcesField value={sources} onChange={setSources} error={errors.byField.sources} />
        <StoresField stores={stores} value={saleorChannels} onChange={setSaleorChannels} error={errors.byField.saleorChannels} />
      </Box>
    </Dialog>
  );
}
