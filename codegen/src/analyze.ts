/**
 * Reads an app with full type information and builds its model: which classes implement which
 * component interfaces, their methods, refs, listeners and config types. Checks everything it can
 * and reports each problem with its position and the fix; the model is only complete when no
 * problem was reported.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";
import { MAIN_COMPONENT, shortName } from "@weaver/runtime/codegen";
import { Node, Project, Scope, SyntaxKind, type CallExpression, type ClassDeclaration, type SourceFile, type Type } from "ts-morph";
import { analyzeMethods } from "./analyze-methods.js";
import { analyzeRouter } from "./analyze-router.js";
import { CONFIG_ALLOWED, configSchema } from "./config-type.js";
import { coreExportOf, coreExportOfSymbol, packageName } from "./core-symbols.js";
import type { Diagnostics } from "./diagnostics.js";
import { GENERATED_FILE } from "./emit.js";
import { checkMainImports } from "./import-cycles.js";
import type { AppModel, ComponentModel } from "./model.js";
import { isExportedByName, moduleSpecifier } from "./module-specifier.js";
import { SharedTypes } from "./shared-types.js";
import { NotSerializable, TypeWalker, type ImportPath } from "./type-walker.js";

/** A class that extends Implements<I>(), before its members are analysed. */
interface Candidate {
  readonly cls: ClassDeclaration;
  readonly call: CallExpression;
  readonly ifaceType: Type;
  readonly isMain: boolean;
}

/**
 * Analyses the app in `dir` (a folder with tsconfig.json); returns undefined if it cannot be read.
 * `project` is the app's ts-morph project when the caller keeps one across runs (weaver dev).
 */
export function analyzeApp(dir: string, diag: Diagnostics, project?: Project): AppModel | undefined {
  const tsconfig = join(dir, "tsconfig.json");
  if (!existsSync(tsconfig)) {
    diag.in(dir, "no tsconfig.json here; weaver generate reads an app folder that has one");
    return undefined;
  }
  project ??= new Project({ tsConfigFilePath: tsconfig });
  const files = project.getSourceFiles().filter((f) => isAppSource(f, dir));
  const pkg = packageName(tsconfig) ?? basename(dir);
  const app = pkg.slice(pkg.lastIndexOf("/") + 1);

  const runCalls = files.flatMap(runCallsIn);
  const runFiles = new Set(runCalls.map((call) => call.getSourceFile().getFilePath() as string));
  const candidates = files.flatMap((f) => f.getClasses()).flatMap((c) => candidate(c, diag) ?? []);

  const mains = candidates.filter((c) => c.isMain);
  if (mains.length === 0) {
    const message = "no Main component: declare `class App extends Implements<Main>() { async main() {...} }` and call `await run(App)`";
    if (runCalls[0] !== undefined) diag.at(runCalls[0], message);
    else diag.in(dir, message);
  }
  for (const extra of mains.slice(1)) {
    diag.at(
      extra.cls,
      `duplicate implementation of Main: ${extra.cls.getName()} and ${mains[0]!.cls.getName()} (${diag.position(mains[0]!.cls)}); an app has one Main`,
    );
  }

  // Interfaces to components, refusing two implementations of one interface.
  const byIface = new Map<string, Candidate>();
  const names = new Map<string, string>();
  for (const c of candidates.filter((c) => !c.isMain)) {
    const iface = c.ifaceType.getSymbolOrThrow();
    const key = iface.getFullyQualifiedName();
    const other = byIface.get(key);
    if (other !== undefined) {
      diag.at(
        c.cls,
        `duplicate implementation of ${iface.getName()}: ${c.cls.getName()} and ${other.cls.getName()} (${diag.position(other.cls)}); keep one`,
      );
      continue;
    }
    const otherKey = names.get(iface.getName());
    if (otherKey !== undefined) {
      const otherDecl = byIface.get(otherKey)!.ifaceType.getSymbolOrThrow().getDeclarations()[0]!;
      diag.at(
        c.cls,
        `two component interfaces are named ${iface.getName()} (also ${diag.position(otherDecl)}); component names are made of interface names and must be unique in an app, rename one`,
      );
      continue;
    }
    byIface.set(key, c);
    names.set(iface.getName(), key);
  }
  const componentOf = (type: Type): string | undefined => {
    const symbol = type.getSymbol();
    if (symbol === undefined) return undefined;
    if (coreExportOfSymbol(symbol) === "Main") return MAIN_COMPONENT;
    return byIface.has(symbol.getFullyQualifiedName()) ? `${pkg}/${symbol.getName()}` : undefined;
  };

  // weaver_gen.ts goes beside Main's implementation; types it names are imported from there.
  const genDir = mains[0] === undefined ? dir : dirname(mains[0].cls.getSourceFile().getFilePath());
  const appFiles = new Set(files.map((f) => f.getFilePath() as string));
  const importPath = (file: string): string | undefined => (appFiles.has(file) ? moduleSpecifier(genDir, file) : undefined);

  if (mains.length > 0) for (const call of runCalls) checkImportsGenerated(call, genDir, diag);
  checkMainImports(
    [...byIface.values()].map((c) => ({ file: c.cls.getSourceFile(), impl: c.cls.getName() ?? "class" })),
    new Map(runCalls.map((call) => [call.getSourceFile().getFilePath() as string, callText(call)])),
    { dir, isApp: (f) => appFiles.has(f.getFilePath() as string), verbatim: project.getCompilerOptions().verbatimModuleSyntax === true },
    diag,
  );

  const components: ComponentModel[] = [];
  const listenerNames = new Map<string, Node>();
  const shared = new SharedTypes();
  for (const c of [...mains.slice(0, 1), ...byIface.values()]) {
    const model = analyzeComponent(c, { pkg, runFiles, diag, componentOf, importPath, listenerNames, shared });
    if (model !== undefined) components.push(model);
  }
  if (mains.length === 0) return undefined;
  components.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dir, pkg, app, genDir, components, types: shared.types };
}

function isAppSource(f: SourceFile, dir: string): boolean {
  const path = f.getFilePath() as string;
  if (!path.startsWith(dir + sep) || f.isDeclarationFile() || f.isInNodeModules()) return false;
  const name = basename(path);
  return name !== "weaver_gen.ts" && !/\.(test|spec)\.[cm]?tsx?$/.test(name);
}

/** A call as messages show it: `run(App)`, or `run(...)` when its arguments are long. */
function callText(call: CallExpression): string {
  const args = call
    .getArguments()
    .map((a) => a.getText())
    .join(", ");
  return `${call.getExpression().getText()}(${args.length > 40 || args.includes("\n") ? "..." : args})`;
}

function runCallsIn(f: SourceFile): CallExpression[] {
  return f.getDescendantsOfKind(SyntaxKind.CallExpression).filter((n) => coreExportOf(n.getExpression()) === "run");
}

/**
 * Refuses a run() call in a file that does not import the generated code: run() finds the
 * components through what weaver_gen.js registers when it is imported, so the import is what
 * makes the app start under node, tsx and bundlers alike.
 */
function checkImportsGenerated(call: CallExpression, genDir: string, diag: Diagnostics): void {
  const file = call.getSourceFile();
  const dir = dirname(file.getFilePath() as string);
  const generated = join(genDir, GENERATED_FILE.replace(/\.ts$/, ""));
  const imports = file.getImportDeclarations().some((imp) => {
    const spec = imp.getModuleSpecifierValue();
    return spec.startsWith(".") && join(dir, spec).replace(/\.[cm]?[jt]s$/, "") === generated;
  });
  if (imports) return;
  const line = `import "${moduleSpecifier(dir, `${generated}.ts`)}";`;
  diag.at(
    call,
    `${call.getText()} starts the app, but this file does not import the app's generated code, which registers its components; add \`${line}\` at the top of this file`,
  );
}

/** Recognizes `class X extends Implements<I>()`; returns undefined for other classes. */
function candidate(cls: ClassDeclaration, diag: Diagnostics): Candidate | undefined {
  const heritage = cls.getExtends()?.getExpression();
  if (heritage === undefined || !Node.isCallExpression(heritage)) return undefined;
  if (coreExportOf(heritage.getExpression()) !== "Implements") return undefined;
  const [ifaceArg] = heritage.getTypeArguments();
  if (ifaceArg === undefined) {
    diag.at(heritage, `${cls.getName() ?? "class"} extends Implements() without the component interface; write Implements<MyComponent>()`);
    return undefined;
  }
  const ifaceType = ifaceArg.getType();
  const symbol = ifaceType.getSymbol();
  if (symbol !== undefined && coreExportOfSymbol(symbol) === "Main") return { cls, call: heritage, ifaceType, isMain: true };
  const decl = symbol?.getDeclarations()[0];
  if (decl === undefined || !Node.isInterfaceDeclaration(decl)) {
    diag.at(
      ifaceArg,
      `Implements<${ifaceArg.getText()}>: ${ifaceArg.getText()} is not an interface; a component's API is an interface of async methods`,
    );
    return undefined;
  }
  if (decl.getSourceFile().isInNodeModules() || decl.getSourceFile().isDeclarationFile()) {
    diag.at(
      ifaceArg,
      `Implements<${ifaceArg.getText()}>: ${ifaceArg.getText()} is declared outside this app; declare the component interface in the app beside its implementation`,
    );
    return undefined;
  }
  return { cls, call: heritage, ifaceType, isMain: false };
}

interface Context {
  readonly pkg: string;
  readonly runFiles: ReadonlySet<string>;
  readonly diag: Diagnostics;
  readonly componentOf: (type: Type) => string | undefined;
  readonly importPath: ImportPath;
  /** Listener names seen so far in the app, with where each was declared. */
  readonly listenerNames: Map<string, Node>;
  /** The named types of the app's method signatures and config types. */
  readonly shared: SharedTypes;
}

function analyzeComponent(c: Candidate, ctx: Context): ComponentModel | undefined {
  const { diag } = ctx;
  const { cls } = c;
  const clsName = cls.getName();
  if (clsName === undefined) {
    diag.at(cls, "a component implementation must be a named class");
    return undefined;
  }
  const before = diag.list.length;
  const file = cls.getSourceFile().getFilePath() as string;
  const ifaceSymbol = c.ifaceType.getSymbolOrThrow();
  const ifaceDecl = c.isMain ? undefined : ifaceSymbol.getDeclarations()[0];
  const name = c.isMain ? MAIN_COMPONENT : `${ctx.pkg}/${ifaceSymbol.getName()}`;

  if (cls.getTypeParameters().length > 0) {
    diag.at(cls, `component implementation ${clsName} is generic; component implementations cannot be generic`);
  }
  if (ifaceDecl !== undefined && Node.isInterfaceDeclaration(ifaceDecl) && ifaceDecl.getTypeParameters().length > 0) {
    diag.at(c.call, `component interface ${ifaceDecl.getName()} is generic; component interfaces cannot have type parameters`);
  }
  if (cls.isAbstract()) diag.at(cls, `component implementation ${clsName} is abstract; the runtime must be able to create it`);
  if (!isExportedByName(cls)) diag.at(cls, notExported("implementation", clsName, cls.isExported()));
  if (ifaceDecl !== undefined && Node.isInterfaceDeclaration(ifaceDecl) && !isExportedByName(ifaceDecl)) {
    diag.at(ifaceDecl, notExported("interface", ifaceDecl.getName(), ifaceDecl.isExported()));
  }
  const ctor = cls.getConstructors().find((k) => k.getParameters().some((p) => !p.isOptional() && !p.isRestParameter()));
  if (ctor !== undefined) {
    diag.at(
      ctor,
      `the constructor of component implementation ${clsName} takes arguments, but the runtime creates components with \`new ${clsName}()\`; get what it needs from refs or config, or do the work in init()`,
    );
  }
  if (!c.isMain && ctx.runFiles.has(file)) {
    diag.at(
      cls,
      `component implementation ${clsName} is declared in a file that calls run(); move it to a file of its own, since generated code imports it without starting the app`,
    );
  }
  checkImplements(cls, c.ifaceType, c.isMain ? "Main" : ifaceSymbol.getName(), diag);

  const walker = new TypeWalker(ifaceDecl ?? cls, ctx.importPath, ctx.shared);
  const methods =
    ifaceDecl !== undefined && Node.isInterfaceDeclaration(ifaceDecl) ? analyzeMethods(ifaceDecl, c.ifaceType, diag, walker) : [];
  const iface = ifaceDecl !== undefined && Node.isInterfaceDeclaration(ifaceDecl) ? ifaceDecl : undefined;
  const router = analyzeRouter({ cls, iface, ifaceType: c.ifaceType, methods, diag });

  const refs: ComponentModel["refs"][number][] = [];
  const listeners: ComponentModel["listeners"][number][] = [];
  for (const prop of cls.getProperties()) {
    const init = prop.getInitializer();
    if (init === undefined || !Node.isCallExpression(init) || prop.isStatic()) continue;
    const fn = coreExportOf(init.getExpression());
    if (fn !== "ref" && fn !== "listener") continue;
    const field = prop.getName();
    const nameNode = prop.getNameNode();
    if (!Node.isIdentifier(nameNode) && !Node.isPrivateIdentifier(nameNode)) {
      diag.at(prop, `${clsName}.${nameNode.getText()}: name ${fn} fields with identifiers (the runtime fills them in by name)`);
      continue;
    }
    if (field.startsWith("#")) {
      diag.at(
        prop,
        `${clsName}.${field}: ${fn} fields cannot be #private (the runtime fills them in); use \`private ${field.slice(1)} = ${fn}(...)\``,
      );
      continue;
    }
    const visible = prop.getScope() === Scope.Public;
    if (fn === "ref") {
      const [arg] = init.getTypeArguments();
      if (arg === undefined) {
        diag.at(init, `${clsName}.${field}: ref() needs the component interface as type argument: ref<MyComponent>()`);
        continue;
      }
      const target = ctx.componentOf(arg.getType());
      if (target === MAIN_COMPONENT) diag.at(arg, `${clsName}.${field}: components cannot refer to Main`);
      else if (target === undefined) {
        const isInterface =
          arg
            .getType()
            .getSymbol()
            ?.getDeclarations()
            .some((d) => Node.isInterfaceDeclaration(d)) === true;
        diag.at(
          arg,
          isInterface
            ? `${clsName}.${field}: ${arg.getText()} is not a component of this app; no class extends Implements<${arg.getText()}>()`
            : `${clsName}.${field}: ${arg.getText()} is not a component interface; refer to a component by its interface, e.g. ref<Reverser>()`,
        );
      } else refs.push({ field, component: target, visible });
    } else {
      const [arg] = init.getArguments();
      let lisName = field;
      if (arg !== undefined) {
        if (!Node.isStringLiteral(arg) && !Node.isNoSubstitutionTemplateLiteral(arg)) {
          diag.at(arg, `${clsName}.${field}: a listener name must be a string literal, e.g. listener("http")`);
          continue;
        }
        lisName = arg.getLiteralText();
      }
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(lisName)) {
        diag.at(arg ?? prop, `${clsName}.${field}: listener name "${lisName}" is not valid; use letters, digits, _ and -`);
        continue;
      }
      const first = ctx.listenerNames.get(lisName);
      if (first !== undefined) {
        diag.at(
          prop,
          `duplicate listener name ${lisName} (also ${diag.position(first)}); listener names are unique in an app, name one with listener("other")`,
        );
        continue;
      }
      ctx.listenerNames.set(lisName, prop);
      listeners.push({ field, name: lisName, visible });
    }
  }

  let config: ComponentModel["config"] = null;
  let configText: string | null = null;
  const configArg = c.call.getTypeArguments()[1];
  if (configArg !== undefined) {
    try {
      config = configSchema(configArg.getType(), configArg.getText(), configArg);
      configText = new TypeWalker(configArg, ctx.importPath, ctx.shared).print(configArg.getType(), configArg.getText()).text;
    } catch (e) {
      if (!(e instanceof NotSerializable)) throw e;
      diag.at(
        configArg,
        `config type ${configArg.getText()} of ${clsName} is not plain data: ${e.path} (type ${e.typeText}) ${e.reason}; ${CONFIG_ALLOWED}`,
      );
    }
  }
  if (diag.list.length > before) return undefined;
  return {
    name,
    short: shortName(name),
    isMain: c.isMain,
    iface: c.isMain ? undefined : { name: ifaceSymbol.getName(), file: ifaceDecl!.getSourceFile().getFilePath() as string },
    impl: { name: clsName, file },
    methods,
    refs,
    listeners,
    config,
    configText,
    structures: walker.structures.slice(0, 32),
    ...(router === undefined ? {} : { router }),
  };
}

function notExported(what: "implementation" | "interface", name: string, exported: boolean): string {
  return exported
    ? `component ${what} ${name} is exported only as default or under another name; export it as ${name} (\`export ${what === "interface" ? "interface" : "class"} ${name}\`), since generated code imports it by name`
    : `component ${what} ${name} is not exported; export it so that generated code can refer to it`;
}

/** Reports the interface methods a class lacks, or implements with an incompatible signature. */
function checkImplements(cls: ClassDeclaration, ifaceType: Type, ifaceName: string, diag: Diagnostics): void {
  const instance = cls.getType();
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const prop of ifaceType.getProperties()) {
    const own = instance.getProperty(prop.getName());
    if (own === undefined) {
      // An optional method is reported by analyzeMethods; a class may lack it.
      if (!prop.isOptional()) missing.push(prop.getName());
      continue;
    }
    const want = prop.getTypeAtLocation(cls);
    const have = own.getTypeAtLocation(cls);
    if (!have.isAssignableTo(want)) mismatched.push(prop.getName());
  }
  const name = cls.getName() ?? "class";
  if (missing.length > 0) {
    diag.at(cls, `${name} does not implement ${ifaceName}: missing method${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  if (mismatched.length > 0) {
    diag.at(
      cls,
      `${name} does not implement ${ifaceName}: ${mismatched.join(", ")} ${mismatched.length > 1 ? "have" : "has"} a signature that does not match the interface`,
    );
  }
}
