// Taskward's service worker: shows a reminder the server pushed (see
// src/push/), and opens its todo when the notification is clicked. It
// caches nothing: pages come from the server.
"use strict";

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { title: "Taskward", body: event.data ? event.data.text() : "" };
  }
  const title = message.title || "Taskward";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: message.body || "",
      tag: message.tag || undefined,
      data: { url: message.url || "/todos" },
      icon: "/favicon.svg",
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/todos", self.location.origin);
  // Only this site's pages open from a notification.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + "/todos";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});
