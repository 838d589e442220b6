/** What the plugin injects into the page (see saleor_notify_plugin/dashboard/views.py). */
type NotifyConfig = { apiUrl: string; appBase: string };

declare global {
  interface Window {
    __NOTIFY__?: NotifyConfig;
  }
}

export const config: NotifyConfig = window.__NOTIFY__ ?? {
  apiUrl: "/plugins/global/saleor.notify/graphql/",
  appBase: "/plugins/global/saleor.notify/app/",
};
