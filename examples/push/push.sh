# HTTP
curl -sS -w '\n' -X POST -H "Authorization: Bearer $FIRETOWER_ADMIN_TOKEN" -H 'content-type: application/json' \
  "localhost:${PORT:-3000}/firetower/api/publish" \
  -d '{"topic":"/chat/world","data":{"type":"chat","from":"ops","text":"hi"}}'

# gRPC (the firetower-push CLI of @firetower/grpc)
pnpm --filter @firetower/demo-chat exec firetower-push --grpc "127.0.0.1:${GRPC_PORT:-50051}" \
  --token "$FIRETOWER_ADMIN_TOKEN" /chat/world '{"type":"chat","from":"ops","text":"hi"}'
