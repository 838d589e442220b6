import { Button, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { Dialog } from "./Dialog";
import { FormErrors } from "./FormErrors";

/** Asks before a destructive action: Cancel, or the action's button. */
export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  onConfirm,
  onClose,
  busy,
  errors = [],
}: {
  open: boolean;
  title: string;
  text: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  errors?: string[];
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      testId="confirm-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="error" onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <FormErrors messages={errors} />
      <Text as="p">{text}</Text>
    </Dialog>
  );
}
