/**
 * For tests: an object of a manifest against the Kubernetes OpenAPI schemas as kubernetes-models
 * ships them. Two checks: the schema validation itself (types, required fields, enums, formats),
 * and unknown fields, which the schemas allow but the API server drops or rejects. The compiled
 * validators do not keep the schemas' property lists, so unknown fields are found by walking the
 * object against the package's type declarations, generated from the same definitions (each
 * $ref is a type reference the TypeScript checker resolves).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

/** Per apiVersion/kind: the model (validation) and its declared interface (for unknown fields). */
const KINDS: Readonly<
  Record<string, { readonly model: new (data: never) => { validate(): void }; readonly module: string; readonly type: string }>
> = {
  "v1/ConfigMap": { model: ConfigMap, module: "kubernetes-models/v1/ConfigMap", type: "IConfigMap" },
  "v1/Secret": { model: Secret, module: "kubernetes-models/v1/Secret", type: "ISecret" },
  "v1/ServiceAccount": { model: ServiceAccount, module: "kubernetes-models/v1/ServiceAccount", type: "IServiceAccount" },
  "v1/Service": { model: Service, module: "kubernetes-models/v1/Service", type: "IService" },
  "apps/v1/Deployment": { model: Deployment, module: "kubernetes-models/apps/v1/Deployment", type: "IDeployment" },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler,
    module: "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    type: "IHorizontalPodAutoscaler",
  },
  "rbac.authorization.k8s.io/v1/Role": { model: Role, module: "kubernetes-models/rbac.authorization.k8s.io/v1/Role", type: "IRole" },
  "rbac.authorization.k8s.io/v1/RoleBinding": {
    model: RoleBinding,
    module: "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
    type: "IRoleBinding",
  },
  "gateway.networking.k8s.io/v1/HTTPRoute": {
    model: HTTPRoute,
    module: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
    type: "IHTTPRoute",
  },
};

/** A Kubernetes object as the checks see it. */
export type K8sObject = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown }; [key: string]: unknown };

/** `Kind/name` of an object, for messages. */
export function describe(o: K8sObject): string {
  return `${String(o.kind)}/${String(o.metadata?.name)}`;
}

/** The problems of `o` against its schema: validation errors, and a kind we do not know. */
export function schemaProblems(o: K8sObject): string[] {
  const kind = KINDS[`${String(o.apiVersion)}/${String(o.kind)}`];
  if (kind === undefined)
    return [`${describe(o)}: apiVersion ${String(o.apiVersion)} kind ${String(o.kind)} is not a kind the checks know`];
  try {
    new kind.model(structuredClone(o) as never).validate();
    return [];
  } catch (e) {
    return [`${describe(o)}: ${(e as Error).message}`];
  }
}

let checker: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

/** A TypeScript program over the declared interfaces of KINDS (made once; it takes a few seconds). */
function declaredTypes(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  if (checker !== undefined) return checker;
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, "__kube_kinds.ts");
  const entries = Object.entries(KINDS);
  const text = entries.map(([, k], i) => `import type { ${k.type} as T${i} } from "${k.module}";\nexport type K${i} = T${i};`).join("\n");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const c = program.getTypeChecker();
  const source = program.getSourceFile(file) as ts.SourceFile;
  const types = new Map<string, ts.Type>();
  const aliases = source.statements.filter(ts.isTypeAliasDeclaration);
  entries.forEach(([key], i) => {
    const alias = aliases[i] as ts.TypeAliasDeclaration;
    types.set(key, c.getTypeAtLocation(alias.name));
  });
  const missing = [...types].filter(([, t]) => t.flags & ts.TypeFlags.Any).map(([k]) => k);
  if (missing.length > 0) throw new Error(`the declared types of ${missing.join(", ")} did not resolve`);
  checker = { checker: c, types };
  return checker;
}

/** The fields of `o` (as JSON paths) that its kind's schema does not have. */
export function unknownFields(o: K8sObject): string[] {
  const { checker: c, types } = declaredTypes();
  const type = types.get(`${String(o.apiVersion)}/${String(o.kind)}`);
  if (type === undefined) return [];
  const out: string[] = [];
  const walk = (value: unknown, t: ts.Type, path: string): void => {
    const type = c.getNonNullableType(t);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      if (c.isArrayType(type))
        for (const [i, v] of value.entries()) walk(v, c.getTypeArguments(type as ts.TypeReference)[0] as ts.Type, `${path}[${i}]`);
      else out.push(`${path} is a list where the schema has no list`);
      return;
    }
    if (value === null || typeof value !== "object") return;
    // A union of object types (rare in these schemas): a field is known when any member has it.
    const members = type.isUnion() ? type.types.filter((m) => m.flags & ts.TypeFlags.Object) : [type];
    for (const [key, v] of Object.entries(value)) {
      const prop = members.map((m) => c.getPropertyOfType(m, key)).find((p) => p !== undefined);
      if (prop !== undefined) {
        walk(v, c.getTypeOfSymbol(prop), `${path}.${key}`);
        continue;
      }
      const index = members.flatMap((m) => c.getIndexInfosOfType(m)).find((i) => i.keyType.flags & ts.TypeFlags.String);
      if (index !== undefined) walk(v, index.type, `${path}.${key}`);
      else out.push(`${describe(o)}: unknown field ${path}.${key}`);
    }
  };
  walk(o, type, "");
  return out.map((p) => p.replace(": unknown field .", ": unknown field "));
}
