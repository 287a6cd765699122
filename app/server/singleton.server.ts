// The Remix server build and server.ts load separate copies of app modules (and Vite reloads
// them in development); process-wide resources live on globalThis so every copy shares one.
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __infrapilot?: Record<string, unknown> };
  store.__infrapilot ??= {};
  if (!(name in store.__infrapilot)) store.__infrapilot[name] = create();
  return store.__infrapilot[name] as T;
}

export function setSingleton<T>(name: string, value: T): T {
  const store = globalThis as unknown as { __infrapilot?: Record<string, unknown> };
  store.__infrapilot ??= {};
  store.__infrapilot[name] = value;
  return value;
}

export function getSingleton<T>(name: string): T | undefined {
  const store = globalThis as unknown as { __infrapilot?: Record<string, unknown> };
  return store.__infrapilot?.[name] as T | undefined;
}
