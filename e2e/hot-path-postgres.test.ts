// The hot-path suite against an external PostgreSQL (DATABASE_URL), as production runs.
import { startPostgresDeployment } from "../test/deployments";
import { hotPathSuite } from "./support/hot-path-suite";

hotPathSuite("external PostgreSQL", startPostgresDeployment);
