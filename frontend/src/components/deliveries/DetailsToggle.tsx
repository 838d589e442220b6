import { Button } from "@saleor/macaw-ui";
import { ChevronDown, ChevronUp } from "lucide-react";

/** The button of a delivery row that shows or hides what its attempts sent and got back. */
export function DetailsToggle({ label, open, onToggle, controls }: { label: string; open: boolean; onToggle: () => void; controls: string }) {
  return (
    <Button
      variant="tertiary"
      size="small"
      icon={open ? <ChevronUp size={14} /> : <ChevronDown size={14} />}
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
    >
      {label}
    </Button>
  );
}
