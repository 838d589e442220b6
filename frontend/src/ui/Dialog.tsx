import { Box, Modal, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A modal dialog in the dashboard's look. */
export function Dialog({
  open,
  onClose,
  title,
  children,
  footer,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
}) {
  return (
    <Modal open={open} onChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Box
          role="dialog"
          aria-label={typeof title === "string" ? title : undefined}
          data-testid={testId}
          backgroundColor="default1"
          borderRadius={4}
          boxShadow="defaultModal"
          padding={6}
          position="fixed"
          __left="50%"
          __top="10%"
          __transform="translateX(-50%)"
          __width="min(520px, calc(100vw - 32px))"
          __maxHeight="80vh"
          overflowY="auto"
          __zIndex="10"
        >
          <Text as="h2" size={7} fontWeight="bold" paddingBottom={4} display="block">
            {title}
          </Text>
          {children}
          {footer ? (
            <Box display="flex" justifyContent="flex-end" gap={2} paddingTop={6}>
              {footer}
            </Box>
          ) : null}
        </Box>
      </Modal.Content>
    </Modal>
  );
}
