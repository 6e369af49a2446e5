<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlarmGroupModel</name>
    <message>
        <location filename="../../console/models.py" line="559"/>
        <source>Priority</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="560"/>
        <source>Area</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="561"/>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="562"/>
        <source>Alarms</source>
        <translation>报警数</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="563"/>
        <source>Unacknowledged</source>
        <translation>未确认</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="564"/>
        <source>Newest</source>
        <translation>最新</translation>
    </message>
</context>
<context>
    <name>AlarmTableModel</name>
    <message>
        <location filename="../../console/models.py" line="419"/>
        <source>Priority</source>
        <translation>级别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="420"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="421"/>
        <source>Value</source>
        <translation>当前值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="422"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="423"/>
        <source>Raised</source>
        <translation>报警时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="424"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="517"/>
        <source>peak {value}</source>
        <translation>峰值 {value}</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="535"/>
        <source>{unit}/min</source>
        <translation>{unit}/分钟</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="539"/>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="540"/>
        <source>m</source>
        <translation>米</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="614"/>
        <source>Out of service</source>
        <translation>停用检修</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="616"/>
        <source>Suppressed by design</source>
        <translation>设计抑制</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="619"/>
        <source>Shelved until {time}</source>
        <translation>搁置至 {time}</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="622"/>
        <source>Cleared</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="623"/>
        <source>Cleared, unacknowledged</source>
        <translation>已恢复 · 未确认</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="625"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="627"/>
        <source>Active</source>
        <translation>报警中</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="629"/>
        <source>chattering</source>
        <translation>频繁抖动</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="631"/>
        <source>to the shift lead</source>
        <translation>已提请值班长</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../console/models.py" line="294"/>
        <source>Case</source>
        <extracomment>Emitted after a refresh, sort or filter change: counts shown beside the table may have moved.</extracomment>
        <translation>案件号</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="295"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="66"/>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="68"/>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="69"/>
        <source>{m} min</source>
        <translation>{m} 分</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="77"/>
        <source>paused · {span} left</source>
        <translation>暂停 · 剩 {span}</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="79"/>
        <source>{span} left</source>
        <translation>剩 {span}</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="80"/>
        <source>{span} over</source>
        <translation>超时 {span}</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="296"/>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="297"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="298"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="299"/>
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="300"/>
        <source>Escalations</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="301"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="393"/>
        <source>Reported {reported} · due {deadline}</source>
        <translation>上报 {reported} · 时限 {deadline}</translation>
    </message>
</context>
<context>
    <name>Console</name>
    <message>
        <location filename="../../console/app.py" line="178"/>
        <source>Alarms</source>
        <extracomment>Asks the person at the seat to sign in again when the hub refuses (None: unattended).</extracomment>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="179"/>
        <source>Fleet</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="180"/>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="181"/>
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="182"/>
        <source>Case</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="233"/>
        <source>No screen of its own: opened as an ordinary window</source>
        <translation>无独立屏幕：以普通窗口打开</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="320"/>
        <source>The hub&apos;s city cannot be drawn; see the log</source>
        <translation>无法绘制指挥中心下发的城市数据，请查看日志</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="346"/>
        <source>The hub refused this seat: %1</source>
        <translation>指挥中心拒绝了本席位：%1</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="469"/>
        <source>%1: %2, now %3</source>
        <translation>%1：%2，现为%3</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="472"/>
        <source>%1: %2 of %3 cases</source>
        <translation>%1：%3 件中 %2 件已办</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="528"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="534"/>
        <source>Not done: someone acted on this alarm first. Check it and try again.</source>
        <translation>未执行：已有人先处理了该报警，请核对后重试。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="541"/>
        <source>Not done: someone changed this case first; it is now %1. Check it and try again.</source>
        <translation>未执行：案件已被他人先行处理，现为%1，请核对后重试。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="544"/>
        <source>Not done: this seat is read-only.</source>
        <translation>未执行：本席位为只读。</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="545"/>
        <source>Not done: %1 (%2)</source>
        <translation>未执行：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="554"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="555"/>
        <source>Shelved</source>
        <translation>已搁置</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="556"/>
        <source>Unshelved</source>
        <translation>已取消搁置</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="557"/>
        <source>Out of service</source>
        <translation>停用检修</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="558"/>
        <source>Back in service</source>
        <translation>恢复使用</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="559"/>
        <source>Case opened</source>
        <translation>已转为案件</translation>
    </message>
</context>
<context>
    <name>HallWindow</name>
    <message>
        <location filename="../../console/app.py" line="76"/>
        <source>Urban Management Supervision Hall</source>
        <translation>数字化城市管理监督指挥中心</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="84"/>
        <source>Dispatch desk</source>
        <translation>派遣席</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="85"/>
        <source>City map</source>
        <translation>城市地图</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="86"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="87"/>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <location filename="../../console/app.py" line="88"/>
        <source>Fleet</source>
        <translation>车队</translation>
    </message>
</context>
<context>
    <name>QtAlarmPanel</name>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="71"/>
        <source>One by one</source>
        <extracomment>A mute, in minutes (the annunciator ends any mute after ten at most). How long a shelf lasts, as offered (minutes); a class&apos;s longest shelf cuts the list. alarm id, expected version, action, fields (reason, until) sensor id: show its trend seconds of silence asked for (0: sound again) alarm id: the operator chose it (the console shows where it is)</extracomment>
        <translation>逐条显示</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="78"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="105"/>
        <source>Reason (to shelve or take out of service)</source>
        <translation>原因（搁置或停用时必填）</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="109"/>
        <source>Open a case</source>
        <translation>转为案件</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="110"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="111"/>
        <source>Shelve</source>
        <translation>搁置</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="112"/>
        <source>Unshelve</source>
        <translation>取消搁置</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="113"/>
        <source>Out of service</source>
        <translation>停用检修</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="114"/>
        <source>Back in service</source>
        <translation>恢复使用</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="116"/>
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="146"/>
        <source>Muted until {time} · sound on</source>
        <translation>静音至 {time} · 点此恢复</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="148"/>
        <source>Mute {n} min</source>
        <translation>静音 {n} 分钟</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="203"/>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="203"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="225"/>
        <source>{n} in 10 min</source>
        <translation>近10分钟 {n} 条</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="233"/>
        <source>Alarm flood: {n} alarms in 10 minutes (about {manageable} is manageable). Shown by area and class, the most urgent first.</source>
        <translation>报警泛滥：10 分钟内 {n} 条（可处理约 {manageable} 条）。已按区域和类别归并，最紧急的在前。</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="274"/>
        <source>Unacknowledged {count}</source>
        <translation>未确认 {count}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_panel.py" line="276"/>
        <source>Set aside ({count})</source>
        <translation>已搁置/停用/抑制（{count}）</translation>
    </message>
</context>
<context>
    <name>QtCaseDetail</name>
    <message>
        <location filename="../../widgets/case_detail.py" line="98"/>
        <source>History</source>
        <extracomment>Shortcuts of the workflow&apos;s actions: Ctrl and the action&apos;s key. case id, expected version, action code, the fields the action carries</extracomment>
        <translation>处置过程</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="110"/>
        <source>No case selected</source>
        <translation>未选择案件</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="163"/>
        <source>verify</source>
        <translation>核实</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="164"/>
        <source>file</source>
        <translation>立案</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="165"/>
        <source>dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="166"/>
        <source>handle</source>
        <translation>处置</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="167"/>
        <source>check</source>
        <translation>核查</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="168"/>
        <source>close</source>
        <translation>结案</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="124"/>
        <source> · was late</source>
        <translation> · 曾超时</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="147"/>
        <source>into {case} ({metres:,.0f} m)</source>
        <translation>并入 {case}（{metres:,.0f} 米）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="215"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="216"/>
        <source>Time limit</source>
        <translation>时限</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="217"/>
        <source>Place</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="218"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="219"/>
        <source>Reported / due</source>
        <translation>上报 / 时限</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="220"/>
        <source>Assignee</source>
        <translation>处置部门</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="221"/>
        <source>Suggested</source>
        <translation>建议部门</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="222"/>
        <source>Inspector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="223"/>
        <source>Nearest crews</source>
        <translation>最近可派车组</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="224"/>
        <source>Duplicate?</source>
        <translation>疑似重复</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="225"/>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="234"/>
        <source>Reason or note</source>
        <translation>理由或意见</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="235"/>
        <source>What was found or done</source>
        <translation>核查或处置情况</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="288"/>
        <source>urged {count}×</source>
        <translation>督办 {count} 次</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="289"/>
        <source>raised to the shift lead</source>
        <translation>已提请值班长</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="301"/>
        <source>{department} (responsibility table: {category} here)</source>
        <translation>{department}（责任表：此处{category}）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="331"/>
        <source>Raised to the shift lead</source>
        <translation>提请值班长</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="332"/>
        <source>Duplicate merged in</source>
        <translation>重复案件已并入</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="339"/>
        <source>time ran out ({stage})</source>
        <translation>超时（{stage}）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="341"/>
        <source>urged, and nobody acted</source>
        <translation>督办后无人处理</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="385"/>
        <source> ({count} cases)</source>
        <translation>（{count} 件）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="407"/>
        <source>a reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="408"/>
        <source>what was found or done</source>
        <translation>情况说明</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="409"/>
        <source>a department</source>
        <translation>部门</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="416"/>
        <source>Needs {what}</source>
        <translation>需填写{what}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_detail.py" line="330"/>
        <source>Reported</source>
        <translation>上报</translation>
    </message>
</context>
<context>
    <name>QtCaseQueue</name>
    <message>
        <location filename="../../widgets/case_queue.py" line="89"/>
        <source>Search case, address, category, description</source>
        <extracomment>The cases selected together (Ctrl/Shift+click), for a step on all of them at once.</extracomment>
        <translation>搜索案件号、地址、类别、描述</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="95"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="99"/>
        <source>All lights</source>
        <translation>全部亮灯</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="101"/>
        <source>Overdue</source>
        <translation>超期（红灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="102"/>
        <source>Due soon</source>
        <translation>临期（黄灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="103"/>
        <source>In time</source>
        <translation>正常（绿灯）</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="182"/>
        <source>All cases</source>
        <translation>全部案件</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="184"/>
        <source>My work</source>
        <translation>我的待办</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="185"/>
        <source>Open cases</source>
        <translation>未结案件</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="194"/>
        <source>All districts</source>
        <translation>全部城区</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="196"/>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <location filename="../../widgets/case_queue.py" line="240"/>
        <source>Listed {total} · overdue among them {overdue}</source>
        <translation>本列表 {total} 件 · 其中超期 {overdue}</translation>
    </message>
</context>
<context>
    <name>QtCityMap</name>
    <message>
        <location filename="../../widgets/map.py" line="231"/>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="234"/>
        <source>Escalated</source>
        <translation>督办</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="244"/>
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="249"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="239"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="241"/>
        <source>Vehicle&apos;s trail</source>
        <translation>违规车辆轨迹</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="246"/>
        <source>Silent</source>
        <translation>静默</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="228"/>
        <source>Trail, last %1 min</source>
        <translation>轨迹（近%1分钟）</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="218"/>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="133"/>
        <source>Waiting for the city from the hub…</source>
        <translation>正在从指挥中心获取城市数据…</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="136"/>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="138"/>
        <source>Bring everything into view, including what lies outside the city</source>
        <translation>显示全部对象，包括位于城市范围外的</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="219"/>
        <source>Due soon</source>
        <translation>临期</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="220"/>
        <source>In time</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="223"/>
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="224"/>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="225"/>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="226"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="235"/>
        <source>Many (count)</source>
        <translation>聚合（数量）</translation>
    </message>
    <message>
        <location filename="../../widgets/map.py" line="252"/>
        <source>Idle or offline</source>
        <translation>停驶/离线</translation>
    </message>
</context>
<context>
    <name>QtCriticalAlert</name>
    <message>
        <location filename="../../widgets/critical_alert.py" line="24"/>
        <location filename="../../widgets/critical_alert.py" line="28"/>
        <source>Critical alarm</source>
        <extracomment>alarm id, the version seen</extracomment>
        <translation>紧急报警</translation>
    </message>
    <message>
        <location filename="../../widgets/critical_alert.py" line="32"/>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../widgets/critical_alert.py" line="57"/>
        <source>{value} (limit {limit}) since {time}</source>
        <translation>{value}（限值 {limit}），{time} 起</translation>
    </message>
    <message>
        <location filename="../../widgets/critical_alert.py" line="63"/>
        <source>gone to the shift lead</source>
        <translation>已提请值班长</translation>
    </message>
</context>
<context>
    <name>QtFeedStatus</name>
    <message>
        <location filename="../../widgets/feed_status.py" line="36"/>
        <source>Cases</source>
        <extracomment>Data older than this is shown as stale (the wall must not show a frozen city as live).</extracomment>
        <translation>案件</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="37"/>
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="38"/>
        <source>Sensors</source>
        <translation>感知设备</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="39"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="45"/>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="46"/>
        <source>Connected to %1</source>
        <translation>已连接 %1</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="47"/>
        <source>Link to %1 lost — reconnecting</source>
        <translation>与 %1 的连接中断，正在重连</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="48"/>
        <source>%1 refused this console (protocol version)</source>
        <translation>%1 拒绝了本控制台（协议版本不符）</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="58"/>
        <source>%1: waiting</source>
        <translation>%1：等待数据</translation>
    </message>
    <message>
        <location filename="../../widgets/feed_status.py" line="62"/>
        <source>%1: %2 s ago</source>
        <translation>%1：%2 秒前</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/feed_status.py" line="68"/>
        <source>%n outside the city</source>
        <translation>
            <numerusform>城外 %n 个</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QtHallHeader</name>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="53"/>
        <source>Overdue city-wide %n</source>
        <translation>
            <numerusform>全市超期 %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="56"/>
        <source>Alarms %1 (critical %2)</source>
        <translation>报警 %1（紧急 %2）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="62"/>
        <source>To dispatch %n</source>
        <translation>
            <numerusform>待派遣 %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="63"/>
        <source>Urged %n</source>
        <translation>
            <numerusform>督办 %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/hall_header.py" line="64"/>
        <source>To the lead %n</source>
        <translation>
            <numerusform>提请值班长 %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/hall_header.py" line="67"/>
        <source>Vehicles online %1/%2</source>
        <translation>在线车辆 %1/%2</translation>
    </message>
</context>
<context>
    <name>QtSignIn</name>
    <message>
        <location filename="../../widgets/sign_in.py" line="17"/>
        <source>Sign in to the hall</source>
        <translation>登录指挥大厅</translation>
    </message>
    <message>
        <location filename="../../widgets/sign_in.py" line="28"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../widgets/sign_in.py" line="32"/>
        <source>Hub</source>
        <translation>指挥中心</translation>
    </message>
    <message>
        <location filename="../../widgets/sign_in.py" line="33"/>
        <source>Login</source>
        <translation>账号</translation>
    </message>
    <message>
        <location filename="../../widgets/sign_in.py" line="34"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
</context>
<context>
    <name>QtTrend</name>
    <message>
        <location filename="../../widgets/trend.py" line="51"/>
        <source>Trends</source>
        <extracomment>The spans offered, in hours. One pen a sensor, in this order. sensor id, since, until (epoch s)</extracomment>
        <translation>趋势</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="62"/>
        <source>Add a sensor: type its name</source>
        <translation>添加传感器：输入名称</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="65"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="65"/>
        <source>{n} d</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="69"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="183"/>
        <source>warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="184"/>
        <source>alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="185"/>
        <source>low warning</source>
        <translation>低限预警</translation>
    </message>
    <message>
        <location filename="../../widgets/trend.py" line="186"/>
        <source>low alarm</source>
        <translation>低限报警</translation>
    </message>
</context>
<context>
    <name>QtVehicleBoard</name>
    <message>
        <location filename="../../widgets/vehicle_board.py" line="27"/>
        <source>Vehicles</source>
        <translation>车辆</translation>
    </message>
</context>
<context>
    <name>VehicleTableModel</name>
    <message>
        <location filename="../../console/models.py" line="651"/>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="652"/>
        <source>Kind</source>
        <translation>车型</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="653"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="654"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="655"/>
        <source>Last fix</source>
        <translation>定位</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="656"/>
        <source>Task</source>
        <translation>当前任务</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="694"/>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="696"/>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <location filename="../../console/models.py" line="697"/>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
</context>
</TS>
