import { Button } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import { api, type Attachment } from "../../api";
import { SourcesField } from "../../components/SourcesField";
import type { Source } from "../../events";
import { Dialog, FormErrors } from "../../ui";
import { useMutation } from "../../useMutation";
import { attachErrors } from "./attachErrors";

/** The sources of one attachment, open while there is one to edit. */
export function EditSourcesDialog({
  attachment,
  onClose,
  onSaved,
}: {
  attachment: Attachment | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [sources, setSources] = useState<Source[]>([]);
  const update = useMutation(api.updateAttachment);
  const { setErrors } = update;
  useEffect(() => {
    if (attachment) {
      setSources(attachment.sources);
      setErrors([]);
    }
  }, [attachment, setErrors]);
  const save = async () => {
    if (!attachment) return;
    if (await update.run(attachment.id, sources)) onSaved();
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
      <SourcesField value={sources} onChange={setSources} error={errors.byField.sources} />
    </Dialog>
  );
}
