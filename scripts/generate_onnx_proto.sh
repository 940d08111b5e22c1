#!/bin/sh
# Regenerates Sources/ConvAlgebraONNX/Proto/onnx.pb.swift from Sources/ConvAlgebraONNX/Proto/onnx.proto (ONNX's
# own onnx.proto, Apache-2.0, copied unchanged from the onnx Python package 1.23.2, onnx/onnx.proto).
# The generated file is committed: building the package needs neither protoc nor this script.
#
# Needs: protoc (Debian: apt-get install protobuf-compiler) and protoc-gen-swift of the resolved swift-protobuf
# (built here from the checkout SwiftPM made: swift package resolve first).
# Run from the repository root: sh scripts/generate_onnx_proto.sh
set -eu
PROTO_DIR=Sources/ConvAlgebraONNX/Proto
PLUGIN_PKG=.build/checkouts/swift-protobuf
[ -d "$PLUGIN_PKG" ] || swift package resolve
(cd "$PLUGIN_PKG" && swift build -c release --product protoc-gen-swift)
PLUGIN="$PLUGIN_PKG/.build/release/protoc-gen-swift"
# Package visibility: the messages are not part of the public API (ConvAlgebraONNX exposes its own types).
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_opt=Visibility=Package \
       --swift_out="$PROTO_DIR" -I "$PROTO_DIR" "$PROTO_DIR/onnx.proto"
echo "wrote $PROTO_DIR/onnx.pb.swift"
