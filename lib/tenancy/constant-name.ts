/**
 * The key under which `holder` (an enum or a class with static constants) holds `value`: how a user writes it in
 * code (`Persona.TRAINER`, `ApiResource.JOBS`), for messages that tell them what to write.
 */
export function constantName(holder: object, value: unknown): string | undefined {
  return Object.keys(holder).find((key) => (holder as Record<string, unknown>)[key] === value);
}
