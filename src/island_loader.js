// Taskward's island loader, inlined (without these comments) into every page by `IslandLoader`
// (src/app.rs) as an async module script after an import of the bundle's
// JS as `bundle`. It instantiates the wasm as soon as the bundle arrives,
// even while the page is still being parsed, then hydrates each top-level
// <leptos-island> in document order and marks the page interactive
// (`<html data-hydrated>`), which the browser tests and the benchmark wait
// for. Leptos's own loader first waits for requestIdleCallback, which on a
// first load of /todos fired well after the page was parsed.
// Taskward's islands neither nest nor take children, so no more of Leptos's
// island protocol is needed.
(async (bundle, wasmUrl) => {
  try {
    await bundle.default({ module_or_path: wasmUrl });
    if (document.readyState === "loading") {
      await new Promise((parsed) => document.addEventListener("DOMContentLoaded", parsed, { once: true }));
    }
    bundle.hydrate();
    for (const island of document.querySelectorAll("leptos-island")) {
      if (island.parentElement?.closest("leptos-island")) continue;
      const hydrateIsland = bundle[island.dataset.component];
      if (hydrateIsland) {
        await hydrateIsland(island);
      } else {
        console.error(`Taskward: the bundle has no island ${island.dataset.component}`);
      }
    }
    document.documentElement.dataset.hydrated = "true";
  } catch (error) {
    // The page still works as server-rendered HTML and plain form posts.
    console.error("Taskward: the page could not be hydrated", error);
  }
})
