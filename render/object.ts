// What every render function returns: a Kubernetes object as plain JSON data (what server-side apply sends),
// plus the notes that say why parts of it are there. The notes only reach the generated YAML, as comments;
// they never change the object.

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** A YAML path into an object: map keys and sequence indexes, as the `yaml` package's `getIn` takes them. */
export type NotePath = readonly (string | number)[];

/** A comment written before the node at `path`; the empty path puts it before the whole document. */
export interface Note {
  readonly path: NotePath;
  readonly text: string;
}

export interface AnnotatedObject {
  readonly object: RenderedObject;
  readonly notes: readonly Note[];
}

export function annotated(object: RenderedObject, ...notes: Note[]): AnnotatedObject {
  return { object, notes };
}

/**
 * One job of the install (the namespace, one component's RBAC, the controller Deployment, ...): the objects it
 * needs, from the resolved options. install.ts lists the parts in the order they are applied.
 */
export type Part<Options> = (opts: Options) => readonly AnnotatedObject[];
