// gRPC server reflection, loaded on first use. @grpc/reflection builds protobufjs descriptors of
// reflection.proto and of our own descriptor set: about 7 MiB of heap that a manager would carry
// from start to exit for a feature used only when someone points grpcurl at it. So the two
// reflection services are registered at start with pass-through (Buffer) serializers, and the
// first call loads the real service and hands it the decoded messages through an adapter stream.
import {
  status,
  type handleBidiStreamingCall,
  type MethodDefinition,
  type Server,
  type ServerDuplexStream,
  type ServiceDefinition,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { Duplex } from "node:stream";

const reflectionServices = ["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"] as const;

type Method = MethodDefinition<unknown, unknown>;

interface LoadedMethod {
  definition: Method;
  handler: UntypedHandleCall;
}

export function addReflection(options: { server: Server; descriptor: Buffer }): void {
  let loading: Promise<Map<string, LoadedMethod>> | undefined;
  const passThrough = (buffer: Buffer): Buffer => buffer;
  for (const service of reflectionServices) {
    const path = `/${service}/ServerReflectionInfo`;
    const definition: ServiceDefinition = {
      ServerReflectionInfo: {
        path,
        requestStream: true,
        responseStream: true,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    };
    options.server.addService(definition, {
      ServerReflectionInfo: (call: ServerDuplexStream<Buffer, Buffer>) => {
        loading ??= loadReflection(options.descriptor);
        loading.then(
          (methods) => serveThrough({ call, method: methods.get(path) }),
          (error: Error) => call.emit("error", { code: status.INTERNAL, details: `server reflection failed to load: ${error.message}` }),
        );
      },
    });
  }
}

async function loadReflection(descriptor: Buffer): Promise<Map<string, LoadedMethod>> {
  const [{ ReflectionService }, { loadFileDescriptorSetFromBuffer }] = await Promise.all([
    import("@grpc/reflection"),
    import("@grpc/proto-loader"),
  ]);
  const methods = new Map<string, LoadedMethod>();
  // addToServer only needs addService: collect what it would register.
  new ReflectionService(loadFileDescriptorSetFromBuffer(descriptor)).addToServer({
    addService: (service: ServiceDefinition, implementation: UntypedServiceImplementation) => {
      for (const [name, definition] of Object.entries(service)) {
        const handler = implementation[name];
        if (handler) methods.set(definition.path, { definition, handler });
      }
    },
  });
  return methods;
}

// Decoded requests in, encoded responses out; the real handler sees an ordinary object stream.
function serveThrough(options: { call: ServerDuplexStream<Buffer, Buffer>; method: LoadedMethod | undefined }): void {
  const { call, method } = options;
  if (!method) return void call.emit("error", { code: status.UNIMPLEMENTED, details: "unknown reflection method" });
  const stream = new Duplex({
    objectMode: true,
    read() {},
    write(message: unknown, _encoding, done) {
      call.write(Buffer.from(method.definition.responseSerialize(message)), done);
    },
    final(done) {
      call.end();
      done();
    },
  });
  call.on("data", (buffer: Buffer) => stream.push(method.definition.requestDeserialize(buffer)));
  call.on("end", () => stream.push(null));
  call.on("error", () => stream.destroy());
  call.on("cancelled", () => stream.destroy());
  // @grpc/reflection's handler only listens for data/end, writes and ends (it never looks at
  // metadata, peer or deadline), so this object stream stands in for the call it expects.
  const handle = method.handler as handleBidiStreamingCall<unknown, unknown>;
  handle(stream as unknown as ServerDuplexStream<unknown, unknown>);
}
