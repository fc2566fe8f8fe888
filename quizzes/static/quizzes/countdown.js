// A visible countdown; the server's deadline decides, this only shows it.
(function () {
    var timer = document.querySelector(".timer[data-deadline]");
    if (!timer) { return; }
    var left = timer.querySelector(".timer__left");
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    // Correct for a phone whose clock is off: measure from the server's "now".
    var skew = Date.now() - Date.parse(timer.getAttribute("data-now"));
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    function tick() {
        var ms = deadline - (Date.now() - skew);
        if (ms <= 0) {
            left.textContent = "0:00";
            timer.classList.add("timer--over");
            return;
        }
        var s = Math.floor(ms / 1000);
        var h = Math.floor(s / 3600);
        var m = Math.floor((s % 3600) / 60);
        left.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
        timer.classList.toggle("timer--low", ms < 60000);
        window.setTimeout(tick, 1000 - (ms % 1000));
    }
    timer.setAttribute("aria-live", "off");
    tick();
})();
