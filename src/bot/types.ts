/** The raw (snake_case) Discord shapes Blitz reads and writes, as the gateway and REST carry them. */

/** A Discord user as carried in interactions. */
export interface RawUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

/** An application command option as received. */
export interface RawOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: RawOption[];
}

/** An INTERACTION_CREATE payload (the parts Blitz uses). */
export interface RawInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  guild_id?: string;
  channel_id?: string;
  member?: { user: RawUser; permissions?: string; roles?: string[]; nick?: string | null };
  user?: RawUser;
  data?: {
    id?: string;
    name?: string;
    type?: number;
    options?: RawOption[];
    custom_id?: string;
    component_type?: number;
    values?: string[];
    resolved?: { users?: Record<string, RawUser> };
  };
  message?: { id: string; channel_id: string };
}

/** A message body as Blitz sends it (snake_case, Discord's format). */
export interface OutgoingMessage {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  /** 64 = ephemeral. */
  flags?: number;
}

/** Interaction callback types (Discord's InteractionResponseType). */
export const CallbackType = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
} as const;

/** Message flag: only the invoking user sees it. */
export const EPHEMERAL = 64;
