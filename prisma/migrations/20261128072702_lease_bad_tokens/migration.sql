-- CreateTable
CREATE TABLE "LeaseBadToken" (
    "leaseId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "lockedAt" TIMESTAMP(3),
    "firstAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LeaseBadToken_pkey" PRIMARY KEY ("leaseId","source")
);

-- AddForeignKey
ALTER TABLE "LeaseBadToken" ADD CONSTRAINT "LeaseBadToken_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;
