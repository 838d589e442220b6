import { useEffect, useState } from "react";

/** Narrower than this (the order page's widget column is about 344 px), deliveries are a list, not a table. */
const COMPACT_BELOW_PX = 640;

export function useCompact(): boolean {
  const query = `(max-width: ${COMPACT_BELOW_PX - 1}px)`;
  const [compact, setCompact] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setCompact(media.matches);
    media.addEventListener("change", onChange);
    onChange();
    return () => media.removeEventListener("change", onChange);
  }, [query]);
  return compact;
}
