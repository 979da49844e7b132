# Runs ruby-filter code against events, imitating the parts of Logstash's Event API the
# code uses. Input (stdin, JSON): { "programs": { name: { "init": str?, "code": str } },
# "cases": [{ "name", "program", "event" }] }. Output (stdout, JSON): [{ "name", "event",
# "error" }], where "error" is set only if the code let an exception escape.
require 'json'

class HarnessEvent
  def initialize(data)
    @data = data
  end

  # Like Logstash, returns a copy: changing it does not change the event.
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

  def tag(name)
    tags = get('tags')
    tags = [] unless tags.is_a?(Array)
    tags << name unless tags.include?(name)
    set('tags', tags)
  end

  def to_hash
    @data
  end

  private

  def path(reference)
    return [reference] unless reference.start_with?('[')
    reference.scan(/\[([^\[\]]+)\]/).flatten
  end
end

input = JSON.parse($stdin.read)
programs = input.fetch('programs').transform_values do |program|
  eval(program['init'], TOPLEVEL_BINDING) if program['init']
  # The ruby filter compiles `code` the same way: as the body of a lambda taking the event.
  eval("lambda { |event|\n#{program.fetch('code')}\n}", TOPLEVEL_BINDING, '(ruby filter code)')
end

results = input.fetch('cases').map do |test_case|
  event = HarnessEvent.new(test_case.fetch('event'))
  error = nil
  begin
    programs.fetch(test_case.fetch('program')).call(event)
  rescue Exception => e # any escape at all is what the tests look for
    error = "#{e.class}: #{e.message}"
  end
  { 'name' => test_case.fetch('name'), 'event' => event.to_hash, 'error' => error }
end

$stdout.write(JSON.generate(results))
