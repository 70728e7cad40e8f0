-- A flood of failed sign-ins for wrk: every request a different unknown
-- account and a different client address (as from many machines, through a
-- trusted proxy), so no rate limit cuts it short and every request costs a
-- bcrypt check. Arguments: the CSRF token and the cookie header it belongs to.
local token, cookie

function init(args)
  token = args[1]
  cookie = args[2]
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local n = math.random(1, 1000000000)
  local ip = string.format("10.%d.%d.%d", n % 250, math.floor(n / 250) % 250,
    math.floor(n / 62500) % 250 + 1)
  local body = "csrf=" .. token .. "&identifier=niemand" .. n .. "&password=falsch-falsch-" .. n
  return wrk.format("POST", "/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = ip,
  }, body)
end
