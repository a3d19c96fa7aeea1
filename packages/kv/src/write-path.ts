/**
 * The modules only writers need, loaded on the first write: a read-only `esc kv get` then loads fewer modules
 * (module loading is most of its cost beyond Node's own start).
 */
export type WritePath = typeof import('./write-path-modules.js');

let loading: Promise<WritePath> | undefined;

export function loadWritePath(): Promise<WritePath> {
  loading ??= import('./write-path-modules.js');
  return loading;
}
