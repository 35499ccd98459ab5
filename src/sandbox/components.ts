/**
 * Message components from the user's side: finding the one clicked, and the `data` of the
 * MESSAGE_COMPONENT interaction it sends (buttons, string selects and user selects).
 *
 * @module
 */
import { memberObject, type World } from "./state.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/**
 * The interactive component with `customId` on a message, searching action rows and (for
 * Components V2 layouts) nested `components` and section accessories.
 */
export function findComponent(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const component of components) {
    if (typeof component !== "object" || component === null) continue;
    const c = component as Json;
    if (c.custom_id === customId && c.type !== 1) return c;
    const nested = findComponent(c.components, customId) ??
      (c.accessory ? findComponent([c.accessory], customId) : undefined);
    if (nested) return nested;
  }
  return undefined;
}

/** The interaction data for using `component` with the picked `values` (selects only). */
export function selectData(
  world: World,
  guildId: string,
  component: Json,
  values: string[] | undefined,
): { data: Json } | { error: string } {
  const base = { custom_id: component.custom_id, component_type: component.type };
  if (component.type === 2) {
    if (component.style === 5 || component.style === 6) {
      return {
        error:
          `Button "${component.custom_id}" is a link or premium button: it opens no interaction`,
      };
    }
    return { data: base };
  }
  const picked = values ?? [];
  const min = typeof component.min_values === "number" ? component.min_values : 1;
  const max = typeof component.max_values === "number" ? component.max_values : 1;
  if (picked.length < min || picked.length > max) {
    return {
      error: `Select "${component.custom_id}" takes ${min} to ${max} values, got ${picked.length}`,
    };
  }
  if (component.type === 3) {
    const allowed = (Array.isArray(component.options) ? component.options : []).map((o: Json) =>
      o.value
    );
    const unknown = picked.filter((v) => !allowed.includes(v));
    if (unknown.length) {
      return { error: `Select "${component.custom_id}" has no option(s) ${unknown.join(", ")}` };
    }
    return { data: { ...base, values: picked } };
  }
  if (component.type === 5) {
    const guild = world.guild(guildId);
    const users: Json = {};
    const members: Json = {};
    for (const id of picked) {
      const user = world.user(id);
      if (!user) return { error: `Unknown user "${id}"` };
      users[id] = user;
      const member = guild
        ? memberObject(world, guild, id, { withUser: false, permissions: true })
        : undefined;
      if (member) {
        const { deaf: _d, mute: _m, ...partial } = member;
        members[id] = partial;
      }
    }
    return { data: { ...base, values: picked, resolved: { users, members } } };
  }
  return { error: `Component type ${component.type} is not supported by the sandbox yet` };
}
