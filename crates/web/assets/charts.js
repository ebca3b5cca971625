// On a narrow screen a chart scrolls sideways in its region. Start each one with
// the service's own marker in view: its diamond on a funnel plot, else its latest
// point over time. Without this script nothing is hidden: the chart starts at
// its left edge and scrolls as before.
document.querySelectorAll('.chart-scroll').forEach((region) => {
  if (region.scrollWidth <= region.clientWidth) return;
  const marks = [...region.querySelectorAll('.chart__service, .chart__dot')]
    .filter((mark) => !mark.closest('.chart__legend'));
  const own = marks.find((mark) => mark.classList.contains('chart__service')) || marks[marks.length - 1];
  if (!own) return;
  const mark = own.getBoundingClientRect();
  const frame = region.getBoundingClientRect();
  region.scrollLeft += mark.left + mark.width / 2 - (frame.left + frame.width / 2);
});
