// "Notify me in this browser" on /account/notifications: asks for
// permission only when the button is pressed, registers the service
// worker (/sw.js), subscribes with the instance's VAPID key and hands the
// subscription to the server. Without JavaScript the button stays hidden
// and the page says what it needs.
"use strict";

const button = document.getElementById("push-subscribe");
const status = document.getElementById("push-status");

/** A name the owner will recognise in the list: "Firefox on Linux". */
function browserName() {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent) ? "Edge"
    : /Firefox\//.test(agent) ? "Firefox"
    : /Chrome\//.test(agent) ? "Chrome"
    : /Safari\//.test(agent) ? "Safari"
    : "A browser";
  const system = /Android/.test(agent) ? "Android"
    : /iPhone|iPad/.test(agent) ? "iOS"
    : /Mac OS X/.test(agent) ? "macOS"
    : /Windows/.test(agent) ? "Windows"
    : /Linux/.test(agent) ? "Linux"
    : "";
  return system ? `${browser} on ${system}` : browser;
}

function say(text) {
  status.textContent = text;
}

/** The key as `pushManager.subscribe` takes it: bytes, from base64url. */
function keyBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function subscribe() {
  button.disabled = true;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say("Notifications are blocked for this site: allow them in the browser's site settings, then try again.");
      return;
    }
    const registration = await navigator.serviceWorker.register("/sw.js");
    await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(button.dataset.key),
    });
    const json = subscription.toJSON();
    const answer = await fetch("/api/reminders/push-subscribe", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        endpoint: json.endpoint,
        p256dh: json.keys.p256dh,
        auth: json.keys.auth,
        name: browserName(),
      }),
    });
    if (!answer.ok) {
      let message = "The server did not take this browser's subscription.";
      try {
        const error = await answer.json();
        if (error && typeof error.message === "string") message = error.message;
      } catch {}
      say(message);
      return;
    }
    say("This browser will show your reminders.");
    window.location.reload();
  } catch (error) {
    say(`This browser could not subscribe to notifications (${error && error.message ? error.message : error}).`);
  } finally {
    button.disabled = false;
  }
}

if (button && status) {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot show notifications from a website.");
  } else {
    button.hidden = false;
    button.addEventListener("click", subscribe);
  }
}
