// Names, labels and ports the install objects share, as upstream MetalLB's config/manifests/metallb-native.yaml
// spells them: tooling written for MetalLB (and the controller's own defaults in controller/flags.ts and
// controller/webhooks/certmanager.ts) looks for exactly these.

export const CONTROLLER = 'controller';
export const SPEAKER = 'speaker';
export const WEBHOOK_SERVICE = 'metallb-webhook-service';
export const WEBHOOK_CONFIGURATION = 'metallb-webhook-configuration';
export const WEBHOOK_CERT_SECRET = 'metallb-webhook-cert';
/** Created by the controller itself (upstream controller/main.go), so no install object holds it. */
export const MEMBERLIST_SECRET = 'metallb-memberlist';

export const APP_LABELS = { app: 'metallb' } as const;
export const CONTROLLER_LABELS = { app: 'metallb', component: CONTROLLER } as const;
export const SPEAKER_LABELS = { app: 'metallb', component: SPEAKER } as const;

export const CONTROLLER_METRICS_PORT = 7472;
export const CONTROLLER_HEALTH_PORT = 17472;
export const WEBHOOK_PORT = 9443;
export const SPEAKER_METRICS_PORT = 7472;
export const SPEAKER_MEMBERLIST_PORT = 7946;
