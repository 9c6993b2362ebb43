#!/usr/bin/env bash
# Regenerates api/gen/ from api/kdiag.proto: the ts-proto client/server code and the descriptor
# set the manager serves through gRPC reflection. CI runs it and fails on a diff.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p api/gen
protoc \
  --plugin=protoc-gen-ts_proto=node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out=api/gen \
  --ts_proto_opt=outputServices=grpc-js,env=node,esModuleInterop=true,importSuffix=.js,forceLong=number,useOptionals=none \
  --descriptor_set_out=api/gen/kdiag.desc --include_imports \
  -I api api/kdiag.proto
