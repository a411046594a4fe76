// Checklists the fake backend ships as "bundled templates" and as virtual files for its scripted file dialog.

export const WEB_RELEASE = `---
environment: production
owner: platform-team
---
# Web Service Release

## Preparation (T-60 minutes)

### Access and credentials (T-60 minutes)
- [ ] Staging token works against the deploy API
  \`\`\`probe
  kind = "http"
  url = "http://127.0.0.1:8001/api/whoami"
  headers = { Authorization = "Bearer {{secret:staging_token}}" }
  expect_status = 200
  timeout = "5s"
  fresh_for = "15m"
  \`\`\`
- [ ] On-call engineer paged and acknowledged
- [ ] Change ticket approved in the tracker

### Infrastructure (T-45 minutes)
- [ ] Port 8001 available
- [ ] Minimum 10GB disk space available
- [ ] Redis answers \`redis-cli -h 127.0.0.1 ping\`
- [ ] Database reachable
  \`\`\`probe
  kind = "postgres"
  url = "postgres://runsheet@127.0.0.1:5432/shop"
  password = "{{secret:db_password}}"
  query = "SELECT 1"
  \`\`\`

## Deployment (T+0 minutes)

### Database migration (T+0 minutes)
- [ ] Back up the database \`pg_dump -Fc shop -f /backups/shop.dump\`
- [ ] Run the migrations
  \`\`\`bash
  ./scripts/migrate.sh --env production
  \`\`\`
  - [ ] Schema version is **42**
  - [ ] No long-running locks remain

### Rollout (T+15 minutes)
- [ ] Deploy the canary
  \`\`\`probe
  kind = "shell"
  command = "./scripts/canary-status.sh --env production"
  expect_exit = 0
  \`\`\`
- [ ] Health check passes
  \`\`\`probe
  kind = "http"
  url = "http://127.0.0.1:8001/health"
  expect_status = 200
  json = "/status == \\"ok\\""
  \`\`\`
- [ ] Scale to 100% of traffic

**Commands**:
\`\`\`bash
kubectl -n shop rollout status deploy/api
\`\`\`

## Verification (T+30 minutes)

### Smoke tests (T+30 minutes)
- [ ] API status endpoint answers \`curl -fsS http://127.0.0.1:8001/api/status\`
- [ ] Error rate below 1%
  \`\`\`probe
  kind = "http"
  url = "http://127.0.0.1:8001/metrics"
  json = "/error_rate < 0.01"
  \`\`\`
- [ ] Checkout flow tested by QA

### Monitoring (T+45 minutes)
- [ ] Dashboards show normal latency
- [ ] No new alerts for 15 minutes

## Rollback Procedures

### Rollback triggers
- [ ] Error rate above 5% for 5 minutes
- [ ] Checkout failures reported by support

## Sign-off
- [ ] Technical Lead: ______ Date: ____
- [ ] Release Manager: ______ Date: ____

**Deployment Approved By**:
- Engineering Lead: ____ Date: ____ Time: ____
`;

export const DB_MAINTENANCE = `# Database Maintenance Window

## Before the window (T-30 minutes)
- [ ] Announce the maintenance in #ops
- [ ] Minimum 20GB disk space available
- [ ] Replica lag below 5 seconds

## During the window (T+0 minutes)
- [ ] Stop the workers \`systemctl stop shop-worker\`
- [ ] VACUUM FULL on the orders table
- [ ] Start the workers \`systemctl start shop-worker\`

## After the window (T+30 minutes)
- [ ] Workers processing the queue
- [ ] Announce the end of the maintenance

DBA: ________
`;

/** An imported file with an error, to show import errors with a line. */
export const BROKEN = `# Broken checklist

## Steps
- [ ] First step
  \`\`\`probe
  kind = "http"
  url = http://no-quotes
  \`\`\`
- [ ] Second step
`;

export const VIRTUAL_FILES: Record<string, string> = {
  '/home/operator/checklists/ai-assistant-production.md': `# AI Assistant Production Deployment Checklist

## Pre-Deployment Checklist

### 1. Infrastructure Preparation
- [ ] Docker and Docker Compose installed
- [ ] Minimum 10GB disk space available
- [ ] Port 8001 available
- [ ] Redis server accessible \`redis-cli ping\`

### 2. Testing
- [ ] Health check endpoints tested \`curl http://localhost:8001/health\`
- [ ] Sample chat conversation tested in staging

## Deployment Steps (T+0 minutes)
- [ ] Build the image \`docker compose -f docker-compose.prod.yml build\`
- [ ] Start the service
  - [ ] Container healthy
  - [ ] Logs show no errors

## Sign-off
- [ ] Technical Lead: ______ Date: ____
- [ ] Product Owner: ______ Date: ____
`,
  '/home/operator/checklists/broken.md': BROKEN,
};
