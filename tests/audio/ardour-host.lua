-- Plugins in Ardour 7, driven by ardour7-lua (its dummy backend), one step
-- per Ardour process. The delay example, for tests/audio/test-ardour.sh:
--   ardour7-lua ardour-host.lua edit   SESSION_DIR WORK WAVCMP
--   ardour7-lua ardour-host.lua reopen SESSION_DIR WORK WAVCMP
-- Any effect (audio in and out), e.g. a generated project:
--   ardour7-lua ardour-host.lua load   SESSION_DIR WORK WAVCMP URI
-- puts it on a track and renders 0.5 s through it (WORK/load.done).
-- Run it with LV2_PATH at the bundle's folder, HOME at a private folder.
-- Renders go through Track:bounce_range up to and including the plugin
-- (Ardour's range bounce with processing: the plugin's own output, mono,
-- 32-bit float, in SESSION_DIR/interchange/hot/audiofiles/NAME.wav).
-- Session:simple_export() would be the GUI's export, but Ardour 7.3 frees
-- memory twice in ExportGraphBuilder::reset() in 3 to 8 runs out of 10
-- (with no plugin on the track too), so it is not used.
-- Steps talk to the shell script through files in WORK: this script
-- writes WORK/<step>.done, or WORK/failed with the reason.

local mode, dir, work, wavcmp = arg[1], arg[2], arg[3], arg[4]
local URI = arg[5] or "urn:hotreload:examples:lv2-delay"
local NAME = "hot" -- SESSION_DIR ends in /hot: Ardour names interchange/ after the folder
local RATE = 48000
local LENGTH = 72000 -- 1.5 s: the recorded take (about 1 s), then its echoes
-- The delay's parameters, by index: time (s), feedback, tone.
local EDIT_PARAMS = { 0.05, 0.7, 0.5 }
local SAVED_PARAMS = { 0.25, 0.9, 1.0 } -- set before the save: long echoes

local function note(line)
  io.stdout:write("ardour-host.lua: " .. line .. "\n")
  io.stdout:flush()
end

local function touch(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text or "")
  f:close()
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() end
  return f ~= nil
end

local function fail(why)
  note("FAIL: " .. why)
  touch(work .. "/failed", why .. "\n")
  error(why)
end

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local function wav(name)
  return dir .. "/interchange/" .. NAME .. "/audiofiles/" .. name .. ".wav"
end

local function start_engine()
  local backend = AudioEngine:set_backend("None (Dummy)", "", "")
  if not backend then fail("no dummy backend") end
  backend:set_device_name("Sine Wave")
  backend:set_sample_rate(RATE)
  if AudioEngine:start(false) ~= 0 then fail("the dummy backend did not start") end
end

-- Processor:activate() and deactivate() ask; the plugin's own activate()
-- and deactivate() run in a later process cycle (and active() answers at
-- once): wait for cycles.
local function wait_cycles()
  if not ARDOUR.LuaAPI.wait_for_process_callback(4, 2000) then
    fail("the engine runs no process cycles")
  end
end

-- deactivate() then activate(): the plugin forgets the echoes of what it
-- played (what Ardour does around an export), so that renders compare.
local function reset(p)
  p:deactivate()
  wait_cycles()
  p:activate()
  wait_cycles()
end

local function render(tr, p, name, length)
  local region = tr:bounce_range(0, length or LENGTH, ARDOUR.InterThreadInfo(), p, true, name, false)
  if region:isnil() then fail("bounce " .. name .. " made no region") end
  if not exists(wav(name)) then fail("bounce " .. name .. ": no " .. wav(name)) end
  note("rendered " .. wav(name))
end

local function set_params(p, values)
  for i, v in ipairs(values) do
    ARDOUR.LuaAPI.set_processor_param(p, i - 1, v)
  end
end

-- About a second of the dummy backend's sine, recorded: the input every
-- render plays from disk.
local function record_take(s, tr)
  tr:rec_enable_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
  s:maybe_enable_record(false)
  s:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
  sleep(1.2)
  s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
  for _ = 1, 300 do
    if not s:transport_rolling() then break end
    sleep(0.01)
  end
  sleep(0.3)
  tr:rec_enable_control():set_value(0, PBD.GroupControlDisposition.NoGroup)
  s:disable_record(false, false)
  if tr:playlist():n_regions() ~= 1 then fail("the recording made no region") end
  tr:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorDisk, PBD.GroupControlDisposition.NoGroup)
  -- The dummy's sine is at -18 dBFS: the trim (before the plugin) brings
  -- it to about -2 dBFS, so that the echoes stand well above the checks'
  -- 0.01 thresholds.
  tr:trim_control():set_value(6.3, PBD.GroupControlDisposition.NoGroup)
end

local function wait_for_file(path, seconds)
  for _ = 1, seconds * 20 do
    if exists(path) then return end
    sleep(0.05)
  end
  fail("no " .. path .. " after " .. seconds .. " s")
end

-- Render until the new logic plays: a render equal to A is the old logic
-- still playing (the reload not done yet), one that is A * 0.5 is the
-- edit; anything else fails at once.
local function render_edited(tr, p)
  for k = 1, 40 do
    local name = "b" .. k
    reset(p)
    render(tr, p, name)
    if sh(wavcmp .. " scaled " .. wav("a") .. " " .. wav(name) .. " 0.5") then
      touch(work .. "/b.name", name)
      note("render " .. k .. " after the edit is A * 0.5")
      return
    end
    if not sh(wavcmp .. " equal " .. wav("a") .. " " .. wav(name)) then
      fail("render " .. name .. " is neither the old logic's nor the edit's")
    end
    sleep(0.25)
  end
  fail("the edited logic never played (40 renders)")
end

-- A new session with the plugin on a track, the take recorded first when
-- asked (before the plugin is on: the take is the dry input).
local function new_session(with_take)
  start_engine()
  local s = create_session(dir, NAME, RATE)
  if not s then fail("create_session " .. dir) end
  local tr = s:new_audio_track(1, 1, nil, 1, "plugin", ARDOUR.PresentationInfo.max_order,
    ARDOUR.TrackMode.Normal, true):front()
  if with_take then record_take(s, tr) end
  local p = ARDOUR.LuaAPI.new_plugin(s, URI, ARDOUR.PluginType.LV2, "")
  if p:isnil() then fail("no plugin " .. URI .. " (LV2_PATH?)") end
  if tr:add_processor_by_index(p, 0, nil, true) ~= 0 then fail("add_processor_by_index " .. URI) end
  return s, tr, p
end

local function edit_step()
  local s, tr, p = new_session(true)
  set_params(p, EDIT_PARAMS)
  reset(p)
  render(tr, p, "a")
  reset(p)
  render(tr, p, "a2")
  if not sh(wavcmp .. " equal " .. wav("a") .. " " .. wav("a2")) then
    fail("two renders of the same logic differ (the plugin kept its history over a re-activation)")
  end
  touch(work .. "/a.done")
  wait_for_file(work .. "/edited", 120) -- the shell script rebuilds the logic
  render_edited(tr, p)
  -- The state the session keeps: the parameters, and the echoes of a
  -- render with them (the plugin goes on running while the transport is
  -- stopped, so the echoes fade, slowly: feedback 0.9).
  set_params(p, SAVED_PARAMS)
  reset(p)
  render(tr, p, "c")
  if s:save_state("", false, false, false, false, false) ~= 0 then fail("save_state") end
  touch(work .. "/edit.done")
  close_session()
end

local function reopen_step()
  start_engine()
  local s = load_session(dir, NAME)
  if not s then fail("load_session " .. dir) end
  local tr = s:route_by_name("plugin"):to_track()
  local p = tr:nth_plugin(0)
  if p:isnil() then fail("the reopened session has no plugin") end
  for i, want in ipairs(SAVED_PARAMS) do
    local got = ARDOUR.LuaAPI.get_processor_param(p, i - 1)
    if math.abs(got - want) > 1e-6 then
      fail(string.format("parameter %d is %g after reopening, %g was saved", i - 1, got, want))
    end
  end
  note("parameters restored")
  -- No reset first: the plugin plays the echoes it was given back.
  render(tr, p, "d_restored")
  reset(p)
  render(tr, p, "d_reset")
  touch(work .. "/reopen.done")
  close_session()
end

local function load_step()
  local _, tr, p = new_session(false)
  reset(p)
  render(tr, p, "load", RATE / 2)
  note("loaded " .. URI .. " and rendered " .. wav("load"))
  touch(work .. "/load.done")
  close_session()
end

if mode == "edit" then
  edit_step()
elseif mode == "reopen" then
  reopen_step()
elseif mode == "load" then
  load_step()
else
  fail("usage: ardour7-lua ardour-host.lua edit|reopen|load SESSION_DIR WORK WAVCMP [URI]")
end
