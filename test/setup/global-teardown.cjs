// Stops the PostgreSQL cluster and S3 server of the PostgreSQL + S3 pass (see stores.cjs).
const { stopStores } = require('./stores.cjs');

module.exports = async function globalTeardown() {
  await stopStores();
};
