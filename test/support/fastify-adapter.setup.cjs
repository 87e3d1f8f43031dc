// Setup file of the `e2e-fastify` jest project: every example app the suites start runs on Fastify.
process.env.HTTP_ADAPTER = 'fastify';
