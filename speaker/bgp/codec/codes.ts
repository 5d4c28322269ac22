// The numbers BGP puts on the wire, named as the RFCs and the IANA registries name them.

/** RFC 4271 4.1 message types, plus ROUTE-REFRESH (RFC 2918 3). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** RFC 4271 4.1: header is 16-octet marker, 2-octet length, 1-octet type; no message exceeds 4096 octets. */
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const BGP_VERSION = 4;
/** RFC 6793 9: the 2-octet placeholder for a 4-octet AS number. */
export const AS_TRANS = 23456;

/** RFC 4271 4.5 Error Codes; 7 from RFC 7313 5. */
export const ErrorCode = {
  MessageHeaderError: 1,
  OpenMessageError: 2,
  UpdateMessageError: 3,
  HoldTimerExpired: 4,
  FiniteStateMachineError: 5,
  Cease: 6,
  RouteRefreshMessageError: 7,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** RFC 4271 4.5: "If no appropriate Error Subcode is defined, then a zero (Unspecific) value is used". */
export const UNSPECIFIC = 0;

/** RFC 4271 4.5 Message Header Error subcodes. */
export const MessageHeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** RFC 4271 4.5 OPEN Message Error subcodes; 7 from RFC 5492 5, 11 from RFC 9234 4.2. */
export const OpenMessageSubcode = {
  UnsupportedVersionNumber: 1,
  BadPeerAS: 2,
  BadBGPIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
  RoleMismatch: 11,
} as const;

/** RFC 4271 4.5 UPDATE Message Error subcodes (7, AS Routing Loop, is deprecated). */
export const UpdateMessageSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedASPath: 11,
} as const;

/** RFC 6608 4 Finite State Machine Error subcodes. */
export const FsmSubcode = {
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** RFC 4486 4 Cease subcodes; 9 from RFC 8538 3, 10 from RFC 9384 2. */
export const CeaseSubcode = {
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeConfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
  BfdDown: 10,
} as const;

/** RFC 7313 5 ROUTE-REFRESH Message Error subcodes. */
export const RouteRefreshSubcode = {
  InvalidMessageLength: 1,
} as const;

/** RFC 5492 4 optional parameter carrying capabilities. */
export const OPT_PARAM_CAPABILITIES = 2;

/** IANA capability codes for the capabilities this speaker understands. */
export const CapabilityCode = {
  Multiprotocol: 1, // RFC 4760 8
  RouteRefresh: 2, // RFC 2918 2
  GracefulRestart: 64, // RFC 4724 3
  FourOctetAS: 65, // RFC 6793 3
} as const;

/** IANA address family numbers and SAFIs (RFC 4760 3). */
export const Afi = { IPv4: 1, IPv6: 2 } as const;
export const Safi = { Unicast: 1 } as const;

/** RFC 4271 4.3 and 5, RFC 4760, RFC 6793, RFC 1997, RFC 8092 attribute type codes. */
export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITY: 32,
} as const;

/** RFC 4271 4.3 attribute flag bits (high-order octet first). */
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;
