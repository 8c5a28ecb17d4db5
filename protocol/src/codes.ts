// Error codes, exit reasons and socket close codes.

/**
 * Error codes. The negative emedia server codes keep their emedia meaning (they are what
 * `onConferenceExit(reason, failed)` carries); -400/-404/-413/-429/-1 are ours.
 */
export const ErrorCode = {
  INTERNAL: -1,
  TOKEN: -100,
  NO_RIGHTS: -101,
  NO_SUCH_CONFERENCE: -301,
  /** Only as `failed` of onConferenceExit(11): the conference ended. A late join gets -301. */
  CONFERENCE_DISBANDED: -302,
  BAD_REQUEST: -400,
  UNKNOWN_METHOD: -404,
  TIMEOUT: -408,
  TOO_LARGE: -413,
  RATE_LIMITED: -429,
  TICKET_INVALID: -500,
  /** emedia's other "conference gone" code; this server says -301 instead. */
  CONFERENCE_GONE: -501,
  TICKET_EXPIRED: -502,
  MEMBER_INVALID: -504,
  /** Not produced by this server. */
  CONFERENCE_INVALID: -506,
  WRONG_PASSWORD: -508,
  SERVER_LIMIT: -510,
  TOO_MANY_MEMBERS: -522,
  TOO_MANY_TALKERS: -523,
  TOO_MANY_VIDEOS: -524,
  /** Ours (emedia has none): config.maxPubDesktopCount screen shares are already published. */
  TOO_MANY_DESKTOPS: -525,
  /** Ours (revision 6): the conference is locked (lockConference); only admins may join. */
  CONFERENCE_LOCKED: -526,
  /** Ours (revision 6): the host muted you and does not let you unmute yourself. */
  MUTED_BY_HOST: -527,
  /** Ours (revision 6): the moderation hook refused the message's text. */
  MESSAGE_REJECTED: -528,
  /** Ours (revision 6): no member named could be given the role (their tokens' maxRole, or not
   * members); the message names each. */
  ROLE_NOT_ALLOWED: -529,
  /** Ours (revision 6): answerSpeakInvitation without an invitation to answer. */
  NO_INVITATION: -530,
  PUBLISH_INACTIVE: -554,
  /** Ours: the cluster's shared store (Redis) is unreachable; the server takes no joins until
   * it is back. Try again later. */
  UNAVAILABLE: -503,
  NETWORK: -9527,
} as const
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

/** `reason` of onConferenceExit, as the emedia document numbers them. */
export const ExitReason = {
  HANGUP: 0,
  NO_RESPONSE: 1,
  REFUSED: 2,
  BUSY: 3,
  FAILED: 4,
  NOT_SUPPORTED: 5,
  OTHER_DEVICE: 10,
  CLOSED: 11,
} as const
export type ExitReasonValue = (typeof ExitReason)[keyof typeof ExitReason]

/**
 * The `onConferenceExit` reason a refused join is also reported with, as emedia did: ticket,
 * membership, password and server-limit refusals and network failures are 4 (FAILED) with the
 * code; a conference that is invalid or gone (-501, -506) is 11; any other refusal is 2.
 */
export function joinRefusalReason(code: number): ExitReasonValue {
  switch (code) {
    case ErrorCode.TICKET_INVALID:
    case ErrorCode.TICKET_EXPIRED:
    case ErrorCode.MEMBER_INVALID:
    case ErrorCode.WRONG_PASSWORD:
    case ErrorCode.SERVER_LIMIT:
    case ErrorCode.NETWORK:
    case ErrorCode.TIMEOUT:
      return ExitReason.FAILED
    case ErrorCode.CONFERENCE_GONE:
    case ErrorCode.CONFERENCE_INVALID:
      return ExitReason.CLOSED
    default:
      return ExitReason.REFUSED
  }
}

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CloseCode = {
  PROTOCOL_VERSION: 4000,
  IDLE: 4001,
  RATE_LIMITED: 4029,
  TOO_LARGE: 1009,
  SHUTDOWN: 1001,
} as const
