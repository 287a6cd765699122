// The one timeout race: a slow engine or probe must not hold a page or a job. The timer is
// cleared as soon as either side settles, so it never keeps the process alive or fires late.

/** Settles like `promise`, or like `onTimeout()` once `ms` have passed (throw in it to reject). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        Promise.resolve(onTimeout()).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
