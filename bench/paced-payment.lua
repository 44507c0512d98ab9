-- wrk script: the yardstick's unique-payment.lua (every request a new event_id) with a pause
-- before each request, exponentially distributed with a mean of DELAY_MS (default 32), so
-- each connection is a sender that sends now and then instead of as fast as it can.
dofile((os.getenv("YARDSTICK") or "../shared/bench") .. "/wrk/unique-payment.lua")
local mean = tonumber(os.getenv("DELAY_MS") or "32")
function delay() return math.floor(-mean * math.log(1 - math.random())) end
