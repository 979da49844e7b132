# Runs the generated filter code against events, under whichever Ruby runs this file
# (MRI, or JRuby as inside Logstash). What it models, and nothing more:
#
# - logstash-filter-ruby 3.1.8 (lib/logstash/filters/ruby.rb): `init` is evaluated once in
#   the filter instance, `code` becomes the body of a singleton method taking `event`; so
#   each filter is its own object here, and an escaping exception is reported (Logstash
#   would tag `_rubyexception`; our code must never let one escape).
# - the parts of Logstash's Event API the code uses: get (returns a copy), set, remove,
#   tag, to_hash (a copy). Logstash's Java event converts values on set; here they are kept.
# - `mutate { replace => { field => literal } }` and `if [field] == "literal"` guards, the
#   only other pieces of our filter section (the test refuses to flatten anything else).
#
# Input (stdin, JSON): { "programs": { name: [step, ...] }, "cases": [{ "name", "program",
# "event" }], "bench": { "iterations": n }? }, where a step is { "init"?, "code" } or
# { "replace": { field: value } }, with an optional "when": [[field, value], ...].
# Output (stdout, JSON): [{ "name", "event", "error" }], or with "bench" the microseconds
# per event of each program on each case.
require 'json'

class HarnessEvent
  def initialize(data)
    @data = data
  end

  def get(reference)
    value = path(reference).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
    Marshal.load(Marshal.dump(value))
  end

  def set(reference, value)
    *parents, last = path(reference)
    node = parents.reduce(@data) do |current, key|
      current[key] = {} if current[key].nil?
      raise TypeError, "cannot set #{reference}: #{key} is not a map" unless current[key].is_a?(Hash)
      current[key]
    end
    node[last] = value
  end

  def remove(reference)
    *parents, last = path(reference)
    node = parents.reduce(@data) { |current, key| current.is_a?(Hash) ? current[key] : nil }
    node.delete(last) if node.is_a?(Hash)
  end

  def tag(name)
    tags = get('tags')
    tags = [] unless tags.is_a?(Array)
    tags << name unless tags.include?(name)
    set('tags', tags)
  end

  def to_hash
    Marshal.load(Marshal.dump(@data))
  end

  def data
    @data
  end

  private

  def path(reference)
    return [reference] unless reference.start_with?('[')
    reference.scan(/\[([^\[\]]+)\]/).flatten
  end
end

# One ruby filter instance, compiled as logstash-filter-ruby compiles inline code.
class HarnessRubyFilter
  def initialize(init, code)
    eval(init, binding, '(ruby filter init)') if init
    eval("define_singleton_method :filter_method do |event, &new_event_block|\n #{code} \nend", binding, '(ruby filter code)')
  end
end

Step = Struct.new(:guards, :filter, :replace) do
  def applies?(event)
    guards.all? { |field, value| event.get(field) == value }
  end

  def run(event)
    return unless applies?(event)
    if filter
      filter.filter_method(event)
    else
      replace.each { |field, value| event.set(field, value) }
    end
  end
end

input = JSON.parse($stdin.read)
programs = input.fetch('programs').transform_values do |steps|
  steps.map do |step|
    filter = step.key?('code') ? HarnessRubyFilter.new(step['init'], step.fetch('code')) : nil
    Step.new(step.fetch('when', []), filter, step['replace'])
  end
end

run_program = lambda do |steps, event|
  steps.each { |step| step.run(event) }
end

if (bench = input['bench'])
  iterations = bench.fetch('iterations')
  results = input.fetch('cases').map do |test_case|
    steps = programs.fetch(test_case.fetch('program'))
    events = Array.new(iterations) { Marshal.load(Marshal.dump(test_case.fetch('event'))) }
    # Warm-up: JRuby compiles hot methods after a while; Logstash runs for days.
    warm = [iterations / 2, 1].max
    warm.times { run_program.call(steps, HarnessEvent.new(Marshal.load(Marshal.dump(test_case['event'])))) }
    wrapped = events.map { |e| HarnessEvent.new(e) }
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    wrapped.each { |event| run_program.call(steps, event) }
    elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    { 'name' => test_case.fetch('name'), 'microseconds' => elapsed * 1e6 / iterations }
  end
  $stdout.write(JSON.generate(results))
  exit 0
end

results = input.fetch('cases').map do |test_case|
  event = HarnessEvent.new(test_case.fetch('event'))
  error = nil
  begin
    run_program.call(programs.fetch(test_case.fetch('program')), event)
  rescue Exception => e # any escape at all is what the tests look for
    error = "#{e.class}: #{e.message}"
  end
  { 'name' => test_case.fetch('name'), 'event' => event.data, 'error' => error }
end

$stdout.write(JSON.generate(results))
