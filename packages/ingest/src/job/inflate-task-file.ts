/** The module a thread pool runs ingest's thread tasks from (threads/inflate-task.ts, as built). */
export const inflateTaskFile = new URL('./threads/inflate-task.js', import.meta.url).href;
