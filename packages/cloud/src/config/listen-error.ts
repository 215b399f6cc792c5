/**
 * Turns a failed `listen()` into an error that names the listener, the address and the setting
 * to change. Other errors pass through unchanged.
 */
export function listenError(error: unknown, listener: { name: string; host: string; port: number; setting: string }): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${listener.host}:${listener.port}`;

  if (code === 'EADDRINUSE') {
    return new Error(`${listener.name} cannot listen on ${where}: the port is already in use. Stop the other process or set ${listener.setting} to a free port (0 picks one).`, { cause: error });
  }
  if (code === 'EACCES') {
    return new Error(`${listener.name} cannot listen on ${where}: permission denied (ports below 1024 need privileges). Set ${listener.setting} to a port above 1023.`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(`${listener.name} cannot listen on ${where}: no network interface has that address. Set HOST to an address of this machine (127.0.0.1 or 0.0.0.0).`, { cause: error });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new Error(`${listener.name} cannot listen on ${where}: HOST=${JSON.stringify(listener.host)} does not resolve to an address (${code}). Set HOST to an address of this machine (127.0.0.1 or 0.0.0.0).`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
