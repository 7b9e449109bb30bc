// A Probot app that does nothing: the reference point for the load script's
// -peer flag. It serves Probot's own webhook middleware (signature check,
// parse, dispatch to no handler) on 127.0.0.1 and prints its URL.
//
// WEBHOOK_SECRET must match the load script's; PORT defaults to any free one.
import { createServer } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { createNodeMiddleware, createProbot } from "probot";

// Probot needs an App id and key to start; this app never calls GitHub, so a
// throwaway key made here serves.
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const probot = createProbot({
  overrides: { appId: 1, privateKey, secret: process.env.WEBHOOK_SECRET, logLevel: "error" },
});
const middleware = await createNodeMiddleware(() => {}, { probot, webhooksPath: "/webhook" });
const server = createServer((req, res) => {
  middleware(req, res, () => res.writeHead(404).end());
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${server.address().port}/webhook`);
});
