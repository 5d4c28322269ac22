// The part of core/v1 Pod the process kubelet reads, as zod schemas (loose: every other field passes through
// untouched and is never written back, since status goes out as a patch).
import { z } from 'zod';

const intOrString = z.union([z.number().int(), z.string()]);

const keyRef = z.looseObject({
  name: z.string().optional(),
  key: z.string(),
  optional: z.boolean().optional(),
});

export const envVarSchema = z.looseObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .looseObject({
      fieldRef: z.looseObject({ fieldPath: z.string() }).optional(),
      secretKeyRef: keyRef.optional(),
      configMapKeyRef: keyRef.optional(),
    })
    .optional(),
});
export type EnvVar = z.infer<typeof envVarSchema>;

export const probeSchema = z.looseObject({
  httpGet: z
    .looseObject({
      path: z.string().optional(),
      port: intOrString,
      host: z.string().optional(),
      scheme: z.string().optional(),
    })
    .optional(),
  tcpSocket: z.looseObject({ port: intOrString, host: z.string().optional() }).optional(),
  exec: z.looseObject({ command: z.array(z.string()).optional() }).optional(),
  initialDelaySeconds: z.number().int().optional(),
  periodSeconds: z.number().int().optional(),
  timeoutSeconds: z.number().int().optional(),
  successThreshold: z.number().int().optional(),
  failureThreshold: z.number().int().optional(),
});
export type Probe = z.infer<typeof probeSchema>;

const keyToPath = z.looseObject({ key: z.string(), path: z.string(), mode: z.number().int().optional() });

/** The volume sources the process kubelet materialises (volumes.ts); any other kind is refused at start. */
export const volumeSchema = z.looseObject({
  name: z.string(),
  secret: z
    .looseObject({
      secretName: z.string().optional(),
      items: z.array(keyToPath).optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
  configMap: z
    .looseObject({
      name: z.string().optional(),
      items: z.array(keyToPath).optional(),
      optional: z.boolean().optional(),
    })
    .optional(),
  emptyDir: z.looseObject({}).optional(),
  projected: z
    .looseObject({
      sources: z.array(z.looseObject({ serviceAccountToken: z.looseObject({}).optional() })).optional(),
    })
    .optional(),
});
export type Volume = z.infer<typeof volumeSchema>;

export const volumeMountSchema = z.looseObject({
  name: z.string(),
  mountPath: z.string(),
  subPath: z.string().optional(),
  readOnly: z.boolean().optional(),
});
export type VolumeMount = z.infer<typeof volumeMountSchema>;

export const containerSchema = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  env: z.array(envVarSchema).optional(),
  ports: z.array(z.looseObject({ name: z.string().optional(), containerPort: z.number().int() })).optional(),
  readinessProbe: probeSchema.optional(),
  volumeMounts: z.array(volumeMountSchema).optional(),
});
export type Container = z.infer<typeof containerSchema>;

export const podSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string(),
    uid: z.string(),
    resourceVersion: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.number().int().optional(),
  }),
  spec: z.looseObject({
    nodeName: z.string().optional(),
    serviceAccountName: z.string().optional(),
    automountServiceAccountToken: z.boolean().optional(),
    restartPolicy: z.string().optional(),
    terminationGracePeriodSeconds: z.number().int().optional(),
    containers: z.array(containerSchema),
    volumes: z.array(volumeSchema).optional(),
  }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      startTime: z.string().optional(),
    })
    .optional(),
});
export type Pod = z.infer<typeof podSchema>;

export const podListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }),
  items: z.array(podSchema),
});

/** namespace/name: the key pods are tracked by (the uid changes when a pod of the same name is recreated). */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** Whether the pod's processes should no longer run: deleting, or finished for good. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
