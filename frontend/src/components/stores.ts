import { useEffect, useState } from "react";

import { api, type SaleorChannel } from "../api";

/** The shop's stores (its Saleor channels), fetched once; null while they load or when they cannot be listed. */
export function useSaleorChannels(): SaleorChannel[] | null {
  const [stores, setStores] = useState<SaleorChannel[] | null>(null);
  useEffect(() => {
    let current = true;
    api.saleorChannels().then(
      (list) => current && setStores(list),
      () => current && setStores(null),
    );
    return () => {
      current = false;
    };
  }, []);
  return stores;
}

/** A store's name, or its slug when the shop does not (or no longer) have it. */
export const storeName = (stores: SaleorChannel[] | null, slug: string) =>
  stores?.find((s) => s.slug === slug)?.name ?? slug;
